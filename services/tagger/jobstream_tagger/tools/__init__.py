"""The tagger's offline tools: building the taxonomy and the occupation index, evaluating,
inspecting. Run from the command line (`jobstream taxonomy …`, `jobstream eval tagger`,
`jobstream tag …`), never by the service."""
