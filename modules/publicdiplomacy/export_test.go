package publicdiplomacy

// MediaURLForTest exposes mediaURL to the package's external tests.
var MediaURLForTest = mediaURL
