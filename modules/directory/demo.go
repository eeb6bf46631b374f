package directory

import (
	"context"
	"embed"
	"slices"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/store"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// Migrations returns the directory's schema.
func Migrations() store.Migrations { return store.Embedded("directory", schemaFS) }

// DemoLogin is one account of the demo world.
type DemoLogin struct {
	Email string
	Name  string
	What  string // who they are, for the printed list
}

type demoOrg struct {
	in     OrgInput
	people []demoPerson
}

type demoPerson struct {
	name, email, title string
	role               core.Role
	lang               string
}

// The demo world: the Indonesian MFA and its national CSIRT, neighbours and
// partners, a secretariat, and the non-state actors a real node would carry.
// People are invented; the institutions are public ones, described in our own
// words.
var demoWorld = []demoOrg{
	{OrgInput{Handle: "kemlu", Kind: core.OrgStateMinistry, Country: "ID", NameEN: "Ministry of Foreign Affairs of the Republic of Indonesia", NameID: "Kementerian Luar Negeri Republik Indonesia", Acronym: "Kemlu", Website: "https://kemlu.go.id", Description: "Directorate of International Security and Disarmament: cyber diplomacy desk."}, []demoPerson{
		{"Sari Wulandari", "sari@kemlu.demo", "Director, International Security", core.RoleAdmin, "id"},
		{"Bima Prasetyo", "bima@kemlu.demo", "Cyber diplomacy officer", core.RoleOfficer, "id"},
		{"Dewi Lestari", "dewi@kemlu.demo", "Policy analyst", core.RoleAnalyst, "en"},
	}},
	{OrgInput{Handle: "bssn", Kind: core.OrgStateCERT, Country: "ID", NameEN: "National Cyber and Crypto Agency (national CSIRT)", NameID: "Badan Siber dan Sandi Negara", Acronym: "BSSN", Website: "https://bssn.go.id"}, []demoPerson{
		{"Agus Santoso", "agus@bssn.demo", "Head of Gov-CSIRT", core.RoleAdmin, "id"},
		{"Rina Kurniawati", "rina@bssn.demo", "Threat intelligence analyst", core.RoleAnalyst, "id"},
	}},
	{OrgInput{Handle: "polri-siber", Kind: core.OrgStateLawEnforcement, Country: "ID", NameEN: "Indonesian National Police, Cyber Crime Directorate", NameID: "Direktorat Tindak Pidana Siber Bareskrim Polri", Acronym: "Dittipidsiber"}, []demoPerson{
		{"Hendra Wijaya", "hendra@polri.demo", "24/7 point of contact", core.RoleInvestigator, "id"},
		{"Dimas Saputra", "dimas@polri.demo", "Head of international cooperation", core.RoleAdmin, "id"},
	}},
	{OrgInput{Handle: "bnpb", Kind: core.OrgStateAgency, Country: "ID", NameEN: "National Disaster Management Authority", NameID: "Badan Nasional Penanggulangan Bencana", Acronym: "BNPB", Website: "https://bnpb.go.id", Description: "Leads the national response to disasters and coordinates the agencies and partners in it."}, []demoPerson{
		{"Yusuf Hidayat", "yusuf@bnpb.demo", "Deputy for emergency handling", core.RoleAdmin, "id"},
		{"Lina Marpaung", "lina@bnpb.demo", "Information manager, emergency operations centre", core.RoleAnalyst, "id"},
	}},
	{OrgInput{Handle: "kln-my", Kind: core.OrgStateMinistry, Country: "MY", NameEN: "Ministry of Foreign Affairs of Malaysia", NameID: "Kementerian Luar Negeri Malaysia", Acronym: "Wisma Putra"}, []demoPerson{
		{"Nurul Aisyah", "nurul@kln-my.demo", "Principal assistant secretary, cyber", core.RoleAdmin, "en"},
	}},
	{OrgInput{Handle: "csa-sg", Kind: core.OrgStateAgency, Country: "SG", NameEN: "Cyber Security Agency of Singapore", NameID: "Badan Keamanan Siber Singapura", Acronym: "CSA"}, []demoPerson{
		{"Tan Wei Ming", "weiming@csa-sg.demo", "International cooperation", core.RoleAdmin, "en"},
	}},
	{OrgInput{Handle: "dfat-au", Kind: core.OrgStateMinistry, Country: "AU", NameEN: "Department of Foreign Affairs and Trade, Australia", NameID: "Departemen Luar Negeri dan Perdagangan Australia", Acronym: "DFAT"}, []demoPerson{
		{"Olivia Brennan", "olivia@dfat-au.demo", "Cyber affairs and critical technology", core.RoleAdmin, "en"},
	}},
	{OrgInput{Handle: "mnec-tl", Kind: core.OrgStateMinistry, Country: "TL", NameEN: "Ministry of Foreign Affairs and Cooperation of Timor-Leste", NameID: "Kementerian Luar Negeri dan Kerja Sama Timor-Leste", Acronym: "MNEC"}, []demoPerson{
		{"Ana da Costa", "ana@mnec-tl.demo", "Digital and cyber cooperation desk", core.RoleOfficer, "en"},
	}},
	{OrgInput{Handle: "mofa-jp", Kind: core.OrgStateMinistry, Country: "JP", NameEN: "Ministry of Foreign Affairs of Japan", NameID: "Kementerian Luar Negeri Jepang", Acronym: "MOFA"}, []demoPerson{
		{"Kenji Watanabe", "kenji@mofa-jp.demo", "Cyber policy division", core.RoleOfficer, "en"},
	}},
	{OrgInput{Handle: "agc-sg", Kind: core.OrgStateAgency, Country: "SG", NameEN: "Attorney-General's Chambers, Singapore (central authority)", NameID: "Kejaksaan Agung Singapura (otoritas pusat)", Acronym: "AGC"}, []demoPerson{
		{"Priya Raman", "priya@agc-sg.demo", "International Affairs Division, mutual legal assistance", core.RoleAuthority, "en"},
	}},
	{OrgInput{Handle: "afp", Kind: core.OrgStateLawEnforcement, Country: "AU", NameEN: "Australian Federal Police, Cybercrime Operations", NameID: "Kepolisian Federal Australia, Operasi Kejahatan Siber", Acronym: "AFP"}, []demoPerson{
		{"Liam Carter", "liam@afp.demo", "24/7 point of contact", core.RoleInvestigator, "en"},
		{"Grace Ng", "grace@afp.demo", "Mutual assistance and international legal cooperation", core.RoleAuthority, "en"},
	}},
	{OrgInput{Handle: "npa-jp", Kind: core.OrgStateLawEnforcement, Country: "JP", NameEN: "National Police Agency of Japan, Cybercrime Division", NameID: "Badan Kepolisian Nasional Jepang, Divisi Kejahatan Siber", Acronym: "NPA"}, []demoPerson{
		{"Haruto Sato", "haruto@npa.demo", "24/7 point of contact", core.RoleInvestigator, "en"},
	}},
	{OrgInput{Handle: "harbour-cloud", Kind: core.OrgCompany, Country: "US", NameEN: "Harbour Cloud Inc. (demo provider)", NameID: "Harbour Cloud Inc. (penyedia contoh)", Description: "A fictional cloud and e-mail provider that answers requests from authorities abroad."}, []demoPerson{
		{"Dana Cole", "dana@harbour.demo", "Law-enforcement response team", core.RoleAdmin, "en"},
	}},
	{OrgInput{Handle: "asean", Kind: core.OrgInternational, NameEN: "ASEAN Secretariat", NameID: "Sekretariat ASEAN", Acronym: "ASEC", Website: "https://asean.org"}, []demoPerson{
		{"Maria Santos", "maria@asean.demo", "Cybersecurity cooperation", core.RoleAdmin, "en"},
		{"Somchai Rattanakul", "somchai@asean.demo", "Observer", core.RoleObserver, "en"},
	}},
	{OrgInput{Handle: "aha-centre", Kind: core.OrgInternational, NameEN: "ASEAN Coordinating Centre for Humanitarian Assistance on disaster management", NameID: "Pusat Koordinasi ASEAN untuk Bantuan Kemanusiaan dalam Penanggulangan Bencana", Acronym: "AHA Centre", Website: "https://ahacentre.org"}, []demoPerson{
		{"Nguyen Thi Mai", "mai@aha.demo", "Disaster monitoring and analysis", core.RoleOfficer, "en"},
	}},
	{OrgInput{Handle: "unoda", Kind: core.OrgInternational, NameEN: "United Nations Office for Disarmament Affairs", NameID: "Kantor PBB untuk Urusan Perlucutan Senjata", Acronym: "UNODA", Website: "https://disarmament.unoda.org", Description: "Secretariat of the UN Global Intergovernmental Points of Contact Directory."}, []demoPerson{
		{"Elena Petrova", "elena@unoda.demo", "Political affairs officer, ICT security", core.RoleAdmin, "en"},
	}},
	{OrgInput{Handle: "nusantara-cloud", Kind: core.OrgCompany, Country: "ID", NameEN: "Nusantara Cloud (demo company)", NameID: "Nusantara Cloud (perusahaan contoh)", Description: "A fictional cloud provider."}, []demoPerson{
		{"Yusuf Hakim", "yusuf@nusantara.demo", "Head of security", core.RoleMember, "id"},
	}},
	{OrgInput{Handle: "ruang-digital", Kind: core.OrgCivilSociety, Country: "ID", NameEN: "Ruang Digital (demo civil-society group)", NameID: "Ruang Digital (kelompok masyarakat sipil contoh)", Description: "A fictional digital-rights group."}, []demoPerson{
		{"Ayu Pertiwi", "ayu@ruangdigital.demo", "Programme lead", core.RoleMember, "id"},
	}},
	{OrgInput{Handle: "univ-nusantara", Kind: core.OrgAcademia, Country: "ID", NameEN: "Nusantara University, Centre for Cyber Policy (demo)", NameID: "Universitas Nusantara, Pusat Kebijakan Siber (contoh)", Description: "A fictional research centre."}, []demoPerson{
		{"Prof. Lukas Siregar", "lukas@univ.demo", "Researcher", core.RoleAnalyst, "id"},
	}},
}

// LoadDemo fills an empty node with the demo world, or with the organisations
// named in only (a node of a multi-node demo carries a part of the world).
// Every demo account gets the same password, generated for this node and
// printed by the caller. It returns the logins to print; it does nothing if
// the organisations already exist.
func LoadDemo(ctx context.Context, db *store.DB, a *auth.Service, password string, only ...string) ([]DemoLogin, error) {
	var logins []DemoLogin
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.Get(ctx, &n, `SELECT COUNT(*) FROM organisations`); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		admin, _, err := a.CreateUser(ctx, tx, auth.NewUser{Email: "admin@node.demo", Name: "Node Administrator", Title: "Operator of this node", NodeAdmin: true, Lang: "en"})
		if err != nil {
			return err
		}
		if err := a.SetPasswordDirect(ctx, tx, admin.ID, password); err != nil {
			return err
		}
		logins = append(logins, DemoLogin{Email: admin.Email, Name: admin.Name, What: "node administrator"})
		for _, d := range demoWorld {
			if len(only) > 0 && !slices.Contains(only, d.in.Handle) {
				continue
			}
			o := Organisation{ID: core.NewID(tx.Now), Handle: d.in.Handle, Kind: d.in.Kind, Country: d.in.Country, NameEN: d.in.NameEN, NameID: d.in.NameID,
				Acronym: d.in.Acronym, Website: d.in.Website, Description: d.in.Description, CreatedAt: tx.Now, UpdatedAt: tx.Now}
			if p := d.in.Validate(); len(p) > 0 {
				return p.Err("directory: demo " + d.in.Handle)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO organisations (`+orgColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				o.ID, o.Handle, string(o.Kind), o.Country, o.NameEN, o.NameID, o.Acronym, o.Website, o.Description, o.CreatedAt, o.UpdatedAt); err != nil {
				return err
			}
			for _, p := range d.people {
				u, _, err := a.CreateUser(ctx, tx, auth.NewUser{Email: p.email, Name: p.name, Title: p.title, Lang: p.lang})
				if err != nil {
					return err
				}
				if err := a.SetPasswordDirect(ctx, tx, u.ID, password); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `INSERT INTO memberships (user_id, org_id, role, created_at) VALUES (?, ?, ?, ?)`, u.ID, o.ID, string(p.role), tx.Now); err != nil {
					return err
				}
				logins = append(logins, DemoLogin{Email: p.email, Name: p.name, What: string(p.role) + " at " + d.in.Handle})
			}
		}
		if len(only) > 0 && !slices.Contains(only, "kemlu") {
			return audit.Record(ctx, tx, "demo.load", "node", "", "", "demo world loaded")
		}
		// An invitation still waiting, so the home page has something to show.
		u, _, err := a.CreateUser(ctx, tx, auth.NewUser{Email: "fajar@kemlu.demo", Name: "Fajar Nugroho", Title: "New desk officer", Lang: "id"})
		if err != nil {
			return err
		}
		var kemlu string
		if err := tx.Get(ctx, &kemlu, `SELECT id FROM organisations WHERE handle = 'kemlu'`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO memberships (user_id, org_id, role, created_at) VALUES (?, ?, ?, ?)`, u.ID, kemlu, string(core.RoleMember), tx.Now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "demo.load", "node", "", "", "demo world loaded")
	})
	return logins, err
}
