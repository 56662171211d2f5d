/**
 * Source ranges of Google Front Ends and Google health checkers for global external load
 * balancers (GCP "Firewall rules" for load balancing). The firewall admits only these, and the
 * controller trusts X-Forwarded-For only from these.
 */
export const GOOGLE_FRONT_END_RANGES = ["130.211.0.0/22", "35.191.0.0/16"] as const;
