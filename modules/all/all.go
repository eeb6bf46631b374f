// Package all is the one list of enabled modules: their migrations, their
// route tables and their demo data. Adding a module to Entente means adding it
// here and nowhere else in the platform.
package all

import (
	"context"

	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/blobs"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/links"
	"entente.example/entente/internal/netguard"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/capacity"
	"entente.example/entente/modules/correspondence"
	"entente.example/entente/modules/cybercrime"
	"entente.example/entente/modules/dialogue"
	"entente.example/entente/modules/directory"
	"entente.example/entente/modules/economy"
	"entente.example/entente/modules/humanitarian"
	"entente.example/entente/modules/incidents"
	"entente.example/entente/modules/intel"
	"entente.example/entente/modules/negotiation"
	"entente.example/entente/modules/norms"
	"entente.example/entente/modules/publicdiplomacy"
)

// Migrations lists every schema in the order it must be applied: the
// platform's first, then each module's.
func Migrations() []store.Migrations {
	return []store.Migrations{
		auth.Migrations(),
		audit.Migrations(),
		jobs.Migrations(),
		ledger.Migrations(),
		federation.Migrations(),
		directory.Migrations(),
		correspondence.Migrations(),
		norms.Migrations(),
		negotiation.Migrations(),
		intel.Migrations(),
		cybercrime.Migrations(),
		incidents.Migrations(),
		links.Migrations(),
		publicdiplomacy.Migrations(),
		dialogue.Migrations(),
		capacity.Migrations(),
		economy.Migrations(),
		humanitarian.Migrations(),
	}
}

// Deps are what modules are built from.
type Deps struct {
	DB      *store.DB
	Auth    *auth.Service
	Jobs    *jobs.Queue
	Web     *web.Server
	Ledger  *ledger.Log
	Fed     *federation.Service
	BaseURL func() string
	Blobs   blobs.Store // large files; nil keeps them in the database
	// AllowPrivate lets the node reach loopback and private addresses
	// (fediverse instances, feeds), for tests and demos.
	AllowPrivate bool
}

// Services are the modules' use cases, for the command line and the demo.
type Services struct {
	Directory      *directory.Service
	Networks       *directory.Networks
	Correspondence *correspondence.Service
	Norms          *norms.Service
	Negotiation    *negotiation.Service
	Intel          *intel.Service
	Cybercrime     *cybercrime.Service
	Instruments    *cybercrime.Instruments
	Incidents      *incidents.Service
	Statements     *incidents.Statements
	Links          *links.Service
	Public         *publicdiplomacy.Service
	Dialogue       *dialogue.Service
	Events         *dialogue.Events
	Capacity       *capacity.Service
	Economy        *economy.Service
	Humanitarian   *humanitarian.Service
}

// Modules builds every module and connects the directory to auth as the
// source of people's roles and to federation as the node's public directory.
func Modules(d Deps) ([]web.Module, Services) {
	s := Services{
		Directory:      directory.NewService(d.DB, d.Auth, d.Jobs, d.Web.Catalog(), d.BaseURL),
		Networks:       directory.NewNetworks(d.DB, d.Fed, d.Ledger, d.Jobs, d.Web.Catalog(), d.BaseURL),
		Correspondence: correspondence.NewService(d.DB, d.Fed, notify.People{Jobs: d.Jobs, Tr: d.Web.Catalog(), BaseURL: d.BaseURL}),
		Norms:          norms.NewService(d.DB, d.Ledger, d.Fed),
		Negotiation:    negotiation.NewService(d.DB, d.Fed, d.Ledger, d.Jobs),
		Intel:          intel.NewService(d.DB, d.Fed, d.Jobs),
	}
	people := notify.People{Jobs: d.Jobs, Tr: d.Web.Catalog(), BaseURL: d.BaseURL}
	s.Norms.UseNotifier(people)
	if d.Blobs != nil {
		s.Correspondence.UseBlobs(d.Blobs)
	}
	s.Negotiation.UseNotifier(people)
	d.Auth.UseRoles(s.Directory)
	d.Fed.UseDirectory(s.Directory)
	s.Norms.Schedule(d.Jobs)
	s.Instruments = cybercrime.NewInstruments(d.DB)
	s.Cybercrime = cybercrime.NewService(d.DB, d.Fed, people, s.Instruments, cybercrime.Options{Tr: d.Web.Catalog()})
	s.Cybercrime.UseDirectory(cybercrimeDirectory{s.Networks})
	s.Cybercrime.Schedule(d.Jobs)
	s.Cybercrime.UseEvidence(cybercrime.EvidenceOptions{Blobs: d.Blobs, Ledger: d.Ledger, Fed: d.Fed, Jobs: d.Jobs, NodeName: d.Web.NodeName})
	s.Incidents = incidents.NewService(d.DB, d.Fed)
	s.Incidents.UseNotifier(people)
	s.Statements = incidents.NewStatements(d.DB, d.Fed, d.Ledger, people)
	s.Statements.Schedule(d.Jobs)
	mail := correspondence.NewModule(s.Correspondence, d.Fed, d.Web)
	mail.UseAddressBook(s.Networks)
	neg := negotiation.NewModule(s.Negotiation, d.Web)
	neg.UseAddressBook(s.Networks)
	s.Public = publicdiplomacy.NewService(d.DB, publicdiplomacy.Options{BaseURL: d.BaseURL, HTTP: netguard.Client(d.AllowPrivate), Insecure: d.AllowPrivate,
		Jobs: d.Jobs, Notify: people, Signer: d.Fed})
	s.Public.Schedule(d.Jobs)
	s.Public.ScheduleFeeds(d.Jobs)
	s.Dialogue = dialogue.NewService(d.DB, d.Fed, d.Jobs)
	s.Dialogue.UseNotifier(people, d.Web.Catalog())
	s.Dialogue.Schedule(d.Jobs)
	s.Events = dialogue.NewEvents(d.DB, d.Fed, people)
	s.Events.UseDialogues(s.Dialogue)
	s.Events.ScheduleEvents(d.Jobs)
	dlg := dialogue.NewModule(s.Dialogue, d.Web)
	dlg.UseAddressBook(s.Networks)
	s.Capacity = capacity.NewService(d.DB, d.Fed)
	s.Capacity.UseFederation(d.Fed)
	s.Capacity.UseNotifier(people)
	s.Capacity.ScheduleSync(d.Jobs)
	capm := capacity.NewModule(s.Capacity, d.Web)
	capm.UseAddressBook(s.Networks)
	inc := incidents.NewModule(s.Incidents, d.Web)
	s.Economy = economy.NewService(d.DB, orgCountry(s.Directory))
	inc.UseStatements(s.Statements)
	s.Humanitarian = humanitarian.NewService(d.DB, d.Fed)
	s.Humanitarian.UseNotifier(people, d.Web.Catalog())
	s.Humanitarian.ScheduleCleanup(d.Jobs)
	s.Humanitarian.UseFederation(d.Fed)
	// The map's boundaries take a few hundred milliseconds to decode:
	// decode them now, not on the first person's map.
	go s.Humanitarian.Countries()
	hum := humanitarian.NewModule(s.Humanitarian, d.Web)
	hum.UseAddressBook(s.Networks)
	hum.UseOrgNames(d.Fed)
	return wireLinks(d, &s, []web.Module{
		ledger.NewModule(d.Ledger, d.Web),
		federation.NewModule(d.Fed, d.Web),
		directory.NewModule(s.Directory, s.Networks, d.Web),
		mail,
		norms.NewModule(s.Norms, d.Web),
		neg,
		intel.NewModule(s.Intel, d.Web),
		cybercrime.NewModule(s.Cybercrime, s.Instruments, d.Web),
		inc,
		incidents.NewStatementsModule(s.Statements, d.Web),
		publicdiplomacy.NewModule(s.Public, d.Web),
		dlg,
		dialogue.NewEventsModule(s.Events, d.Web),
		capm,
		capacity.NewIndicatorsModule(s.Capacity, d.Web),
		economy.NewModule(s.Economy, d.Web),
		hum,
	}), s
}

// DemoLogin is an account of the demo world.
type DemoLogin = directory.DemoLogin

// LoadDemo loads every module's demo data into an empty node (only the named
// organisations, for a node of the multi-node demo). Each later module adds
// its own call here, so the demo always shows the whole product.
func LoadDemo(ctx context.Context, d Deps, password string, only ...string) ([]DemoLogin, error) {
	return directory.LoadDemo(ctx, d.DB, d.Auth, password, only...)
}
