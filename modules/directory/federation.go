package directory

import (
	"context"
	"errors"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/store"
)

// Receive implements federation.Handler for the envelopes of POC networks.
// Each handler trusts the envelope's sender only for itself: a node speaks
// for the networks it hosts and the organisations it holds, never for a
// third party.
func (s *Networks) Receive(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	switch env.Type {
	case TypeNetwork:
		return s.receiveNetwork(ctx, tx, env, payload)
	case TypeNomination:
		return s.receiveNomination(ctx, tx, env, payload)
	case TypeDecision:
		return s.receiveDecision(ctx, tx, env, payload)
	case TypePing:
		return s.receivePing(ctx, tx, env, payload)
	case TypePingAck:
		return s.receivePingAck(ctx, tx, env, payload)
	case TypeRequest:
		return s.receiveRequest(ctx, tx, env, payload)
	case TypeRequestUpdate:
		return s.receiveRequestUpdate(ctx, tx, env, payload)
	}
	return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: errors.New("unknown type " + env.Type)}
}

var _ federation.Handler = (*Networks)(nil)
