// explain: what a fleet's Envoy would do with a request (being built, issue 2).
export {};
