import Synchronization

/// How one source's collect ended in a round.
enum SourceOutcome: Sendable {
    case values([String: Double])
    case failed(String)
    case timedOut
    case cancelled
}

/// Runs `source.collect()` racing a `timeout`, and returns whichever finishes first.
///
/// A task group would wait for a child that ignores cancellation (a blocking read, a sleep that
/// isn't cooperative), so the collect runs as its own task and the loser is only cancelled, never
/// awaited: a source still running past the timeout is abandoned for the round.
/// `workFinished` is called when the collect itself ends, however late, so the caller can avoid
/// starting a second call on a source whose first has not returned.
func collect(
    _ source: any MetricSource, timeout: Duration,
    workFinished: @escaping @Sendable () -> Void
) async -> SourceOutcome {
    let race = Race()
    return await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            guard race.begin(continuation) else { return }
            let work = Task {
                let outcome: SourceOutcome
                do { outcome = .values(try await source.collect()) } catch { outcome = .failed(String(describing: error)) }
                workFinished()
                race.finish(outcome)
            }
            let timer = Task {
                do {
                    try await Task.sleep(for: timeout)
                    race.finish(.timedOut)
                } catch {}  // Cancelled: the work already won.
            }
            race.attach([work, timer])
        }
    } onCancel: {
        race.finish(.cancelled)
    }
}

/// The shared end of a race: resumes the continuation exactly once and cancels the contenders.
private final class Race: Sendable {
    private struct State {
        var continuation: CheckedContinuation<SourceOutcome, Never>?
        var tasks: [Task<Void, Never>] = []
        var outcome: SourceOutcome?
    }
    private let state = Mutex(State())

    /// Stores the continuation; false (after resuming it) if the race was already decided,
    /// i.e. the caller was cancelled before the race began.
    func begin(_ continuation: CheckedContinuation<SourceOutcome, Never>) -> Bool {
        let decided: SourceOutcome? = state.withLock { s in
            if let o = s.outcome { return o }
            s.continuation = continuation
            return nil
        }
        if let decided { continuation.resume(returning: decided) }
        return decided == nil
    }

    func attach(_ tasks: [Task<Void, Never>]) {
        let decided = state.withLock { s in
            if s.outcome == nil { s.tasks = tasks }
            return s.outcome != nil
        }
        if decided { tasks.forEach { $0.cancel() } }
    }

    func finish(_ outcome: SourceOutcome) {
        let (continuation, tasks): (CheckedContinuation<SourceOutcome, Never>?, [Task<Void, Never>]) = state.withLock { s in
            guard s.outcome == nil else { return (nil, []) }
            s.outcome = outcome
            defer { s.continuation = nil; s.tasks = [] }
            return (s.continuation, s.tasks)
        }
        tasks.forEach { $0.cancel() }
        continuation?.resume(returning: outcome)
    }
}
