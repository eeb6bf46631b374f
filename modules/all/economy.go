package all

import (
	"context"

	"entente.example/entente/core"
	"entente.example/entente/modules/directory"
	"entente.example/entente/modules/economy"
)

// orgCountry tells the economy which state an organisation of this node
// represents, from the directory: a commitment is that state's.
func orgCountry(dir *directory.Service) economy.OrgCountry {
	return func(ctx context.Context, handle string) (string, error) {
		o, err := dir.Org(ctx, handle)
		if core.KindOf(err) == core.KindNotFound {
			return "", nil
		}
		return o.Country, err
	}
}
