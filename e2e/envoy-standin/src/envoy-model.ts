// The one place the stand-in takes the Envoy model from. Every decision about
// a connection or a request (listener, filter chain, TLS, virtual host, route,
// weights, rewrites, header changes, CORS, rate limits, retries, endpoints)
// is the model's; the stand-in only carries bytes as the model says.
// When the model moves into its own package, this import is the line to change.
export * from '@switchyard/explain';
