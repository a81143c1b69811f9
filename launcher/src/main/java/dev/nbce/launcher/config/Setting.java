package dev.nbce.launcher.config;

import static dev.nbce.launcher.config.Spec.bool;
import static dev.nbce.launcher.config.Spec.count;
import static dev.nbce.launcher.config.Spec.flag;
import static dev.nbce.launcher.config.Spec.fraction;
import static dev.nbce.launcher.config.Spec.integer;
import static dev.nbce.launcher.config.Spec.list;
import static dev.nbce.launcher.config.Spec.longCount;
import static dev.nbce.launcher.config.Spec.path;
import static dev.nbce.launcher.config.Spec.port;
import static dev.nbce.launcher.config.Spec.text;

/**
 * Every {@code NBCE_*} environment variable the processes read: the one catalog. The variable is
 * {@code NBCE_} and the constant's name. {@link Settings} reads them (only the launcher does), the
 * launcher hands typed values to the gateway and worker, and docs/configuration.md is rendered from
 * here ({@link ConfigurationPage}).
 */
public enum Setting {
    PORT(Group.GATEWAY, port(8080, 0), "HTTP port of the gateway and of `serve` (`--port` wins)"),
    HOST(Group.GATEWAY, text("127.0.0.1"), "interface the gateway listens on (`--host` wins); 0.0.0.0 for all"),
    API_KEYS(Group.GATEWAY, list("", "none (keys off)"),
            "comma-separated API keys; when set, every /v1 request needs `Authorization: Bearer KEY`"),
    ALLOWED_ORIGINS(Group.GATEWAY, list("", "none"),
            "comma-separated `scheme://host[:port]` pages that may call the API from a browser besides the gateway's own"),
    IDLE_TIMEOUT_S(Group.GATEWAY, count("seconds", 300, 0), "a connection with no traffic for this long is closed (0: never)"),
    HEADER_TIMEOUT_MS(Group.GATEWAY, longCount("ms", 10_000, 1), "a new connection must send its first request head within this"),
    DRAIN_SECONDS(Group.GATEWAY, count("seconds", 30, 0),
            "on SIGTERM, how long in-flight generations may finish before they end with shutting_down"),
    WINDOW_TOKENS(Group.GATEWAY, new Spec(Spec.Type.INTEGER, "tokens", null,
            "the model's max_position_embeddings, at most 4096", 2, Integer.MAX_VALUE),
            "window length when a request names none (capped at max_position_embeddings)"),
    TOOL_CALL_PARSER(Group.GATEWAY, text("auto"),
            "how answers are read for tool calls, as vLLM's `--tool-call-parser`: `auto` (by the chat template:"
                    + " Llama 3 templates `llama3_json`, others `hermes`), `hermes`, `llama3_json`, or `none` (tools refused)"),
    DRAFT_TOKENS(Group.GATEWAY, new Spec(Spec.Type.INTEGER, "tokens", "4", "4", 0, 16),
            "greedy requests draft up to this many tokens a step by prompt lookup and verify them in one forward"
                    + " (docs/speculative-decoding.md); 0 turns speculation off"),
    DRAFT_FORWARD_TOKENS(Group.GATEWAY, count("tokens", 16, 1),
            "a request drafts only while its rows × (1 + drafts) stay within this: past it a forward is compute-bound"
                    + " (about 8-16 on a CPU, hundreds on a GPU)"),

    MAX_WINDOWS(Group.LIMITS, integer(256, 1), "windows (rows less one) per request"),
    MAX_CONTEXT_TOKENS(Group.LIMITS, count("tokens", 262_144, 1), "prompt tokens over all rows of one request"),
    MAX_NEW_TOKENS(Group.LIMITS, count("tokens", 1024, 1), "upper bound on a request's max_new_tokens"),
    MAX_REQUEST_BYTES(Group.LIMITS, count("bytes", 8 << 20, 1024), "largest HTTP body or WebSocket message"),
    MAX_REQUESTS_PER_SOCKET(Group.LIMITS, integer(16, 1), "concurrent generations on one WebSocket"),
    MAX_ACTIVE(Group.LIMITS, integer(64, 1), "generations running at once on this gateway"),
    MAX_QUEUED(Group.LIMITS, integer(256, 0), "generations waiting for a slot before the gateway answers overloaded"),
    MAX_BUFFERED_BYTES(Group.LIMITS, count("bytes", 4 << 20, 1024),
            "unsent bytes a slow client may accumulate before it is disconnected"),
    CAPACITY_WAIT_MS(Group.LIMITS, count("ms", 60_000, 0), "how long an admitted request waits for free rows on the workers"),

    MAX_SOCKETS(Group.EDGE, integer(4096, 1), "WebSocket connections open at once"),
    MAX_SOCKETS_PER_ADDRESS(Group.EDGE, integer(64, 1), "of those, from one client address"),
    MAX_AUTH_FAILURES_PER_MINUTE(Group.EDGE, integer(10, 1),
            "failed keys one address may try per minute; beyond, it gets 429 until the minute is over"),
    PREAUTH_MAX_BYTES(Group.EDGE, count("bytes", 4096, 128), "largest frame and message before authentication"),
    WS_AUTH_TIMEOUT_MS(Group.EDGE, count("ms", 5000, 1), "a WebSocket must authenticate within this or is closed with 1008"),

    LIVENESS_MS(Group.TIMEOUTS, longCount("ms", 1500, 1), "silence after which the gateway declares a worker dead"),
    OPEN_TIMEOUT_MS(Group.TIMEOUTS, longCount("ms", 120_000, 1), "deadline of a worker's prefill (open) step"),
    STEP_TIMEOUT_MS(Group.TIMEOUTS, longCount("ms", 90_000, 1),
            "deadline of one decode step: a backstop, longer than NBCE_ENGINE_STALL_MS"),
    LEASE_MS(Group.TIMEOUTS, count("ms", 3000, 100), "workers free the rows of a gateway silent for this long"),

    CLUSTER_NAME(Group.CLUSTER, text("nbce"), "only members with the same name join each other"),
    CLUSTER_MEMBERS(Group.CLUSTER, list("127.0.0.1", "127.0.0.1"), "comma-separated TCP-IP join list (host or host:port)"),
    CLUSTER_PORT(Group.CLUSTER, port(5701, 1), "Hazelcast member port (the next free one when taken)"),
    CLUSTER_INTERFACE(Group.CLUSTER, text(null, "127.0.0.1 on loopback, else Hazelcast's choice"),
            "interface Hazelcast binds to"),
    CLUSTER_KUBERNETES(Group.CLUSTER, bool(false), "discover members through Kubernetes DNS instead of the member list"),
    K8S_SERVICE_DNS(Group.CLUSTER, text(null, "none"), "headless service for Kubernetes discovery (required with it)"),
    EVENTBUS_HOST(Group.CLUSTER, text(null, "127.0.0.1 on loopback, else 0.0.0.0"), "host the event bus listens on"),
    EVENTBUS_PORT(Group.CLUSTER, port(0, 0), "event-bus port (0: any free port)"),
    PUBLIC_HOST(Group.CLUSTER, text(null, "127.0.0.1 on loopback, else the bound address"),
            "host other members use to reach this event bus"),
    CLUSTER_TLS_CERT(Group.CLUSTER, path("none (plain TCP)"), "PEM certificate of this member, for event-bus mutual TLS"),
    CLUSTER_TLS_KEY(Group.CLUSTER, path("none"), "PEM PKCS#8 private key of this member"),
    CLUSTER_TLS_CA(Group.CLUSTER, path("none"), "PEM certificate of the cluster CA (the only trust)"),

    KV_CACHE_BYTES(Group.WORKER, longCount("bytes", "the device's share", 1),
            "KV cache budget of one worker, shared by rows and the prefix cache (`--kv-cache-bytes` wins)"),
    GPU_MEMORY_UTILIZATION(Group.WORKER, fraction(0.9),
            "without a byte budget: share of GPU memory the worker may fill (on a CPU a quarter of RAM is used)"),
    PREFILL_CHUNK_TOKENS(Group.WORKER, count("tokens", 512, 1),
            "most new tokens of one row in one forward; longer prompts prefill in chunks (`--prefill-chunk-tokens` wins)"),
    PREFIX_CACHE(Group.WORKER, bool(true), "keep the KV of rows' prefixes for later rows"),
    PREFIX_CACHE_BYTES(Group.WORKER, longCount("bytes", "no cap: the KV budget", 0),
            "cap on the prefix cache within the KV budget"),
    PREFIX_CACHE_BLOCK_TOKENS(Group.WORKER, count("tokens", 16, 1), "tokens per cached prefix block"),
    ENGINE_STALL_MS(Group.WORKER, longCount("ms", 60_000, 1),
            "an engine iteration running longer makes the worker unhealthy"),

    METRICS_PORT(Group.METRICS, port("gateway: the API port; worker: first free from 9100"),
            "port of a separate /metrics server (`--metrics-port` wins on a worker)"),
    METRICS_HOST(Group.METRICS, text("0.0.0.0"), "interface the separate metrics server binds"),

    MODEL_NAME(Group.PROCESS, text(null, "the model directory's name"), "the name workers announce and /v1/models lists"),
    CACHE_DIR(Group.PROCESS, path("~/.cache/nbce"), "where the embedded demo model is unpacked"),
    PARENT_PID(Group.PROCESS, new Spec(Spec.Type.INTEGER, null, null, "none", 1, Long.MAX_VALUE),
            "a worker ends when this process ends (`serve` sets it for its workers)"),
    DEBUG(Group.PROCESS, flag(), "print stack traces of command errors");

    /** The sections of the configuration page, in order. */
    public enum Group {
        GATEWAY("Gateway"),
        LIMITS("Gateway: request limits"),
        EDGE("Gateway: sockets before authentication"),
        TIMEOUTS("Gateway: worker timeouts and leases"),
        CLUSTER("Cluster membership and transport"),
        WORKER("Worker: engine and KV cache"),
        METRICS("Metrics"),
        PROCESS("Processes and model");

        private final String title;

        Group(String title) {
            this.title = title;
        }

        public String title() {
            return title;
        }
    }

    private final Group group;
    private final Spec spec;
    private final String doc;

    Setting(Group group, Spec spec, String doc) {
        this.group = group;
        this.spec = spec;
        this.doc = doc;
    }

    /** The environment variable: {@code NBCE_} and the constant's name. */
    public String variable() {
        return "NBCE_" + name();
    }

    public Group group() {
        return group;
    }

    public Spec spec() {
        return spec;
    }

    /** One line of documentation. */
    public String doc() {
        return doc;
    }
}
