package incidents

import "entente.example/entente/internal/names"

// CountryName names an ISO 3166-1 alpha-2 code in lang ("en" or "id").
func CountryName(code, lang string) string { return names.Country(code, lang) }
