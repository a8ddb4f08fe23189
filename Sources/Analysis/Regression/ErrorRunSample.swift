/// One run's errors, for the error-rate comparison.
public struct ErrorRunSample: Sendable, Codable, Hashable {
    /// Errors and requests inside one 10 s window.
    public struct Window: Sendable, Codable, Hashable {
        /// Failed requests in the window.
        public var errors: Int
        /// All requests in the window.
        public var requests: Int

        /// A window as given.
        public init(errors: Int, requests: Int) {
            self.errors = errors
            self.requests = requests
        }
    }

    /// Failed requests over the run.
    public var errors: Int
    /// All requests over the run.
    public var requests: Int
    /// Per-10 s counts, for the over-dispersion estimate.
    public var windows: [Window]
    /// Errors per error class (e.g. "timeout", "http_503").
    public var errorClasses: [String: Int]

    /// A run as given.
    public init(errors: Int, requests: Int, windows: [Window] = [], errorClasses: [String: Int] = [:]) {
        self.errors = errors
        self.requests = requests
        self.windows = windows
        self.errorClasses = errorClasses
    }
}
