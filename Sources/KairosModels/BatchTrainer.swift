#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import KairosCore
import KairosFeatures
import KairosLinalg

/// One model to fit in a batch: a feature set, a family and a penalty.
public struct TrainingTask: Sendable {
  public var kind: ModelKind
  public var set: FeatureSet
  public var l2: Double
  public var standardize: Bool
  public var weights: [Double]?

  public init(kind: ModelKind, set: FeatureSet, l2: Double, standardize: Bool = false, weights: [Double]? = nil) {
    self.kind = kind; self.set = set; self.l2 = l2; self.standardize = standardize; self.weights = weights
  }
}

/// Fits many independent models (asset × fold × λ) across the cores.
///
/// Tasks are split into contiguous chunks handed to `DispatchQueue.concurrentPerform`; OpenBLAS
/// runs at one thread inside the fan-out (its own threads would oversubscribe the cores) and is
/// restored after. Every fit is single-threaded and deterministic, and results are written by
/// task index, so the output has the same bits for any thread count.
public enum BatchTrainer {
  public static func fit(_ tasks: [TrainingTask], threads: Int = defaultThreadCount) -> [Result<LinearModel, ModelError>] {
    var results = [Result<LinearModel, ModelError>](repeating: .failure(.shapeMismatch("not fitted")), count: tasks.count)
    guard !tasks.isEmpty else { return results }
    let workers = max(1, min(threads, tasks.count))
    withSingleThreadedBLAS(if: true) {
      results.withUnsafeMutableBufferPointer { buffer in
        nonisolated(unsafe) let out = buffer  // each task index is written by exactly one worker
        // Contiguous chunks, a few per worker to balance uneven fits; worker w takes chunks
        // w, w + workers, … (static, so the assignment is reproducible).
        let chunk = max(1, (tasks.count + workers * 4 - 1) / (workers * 4))
        let chunks = (tasks.count + chunk - 1) / chunk
        let run: @Sendable (Int) -> Void = { w in
          var c = w
          while c < chunks {
            for k in (c * chunk)..<min(tasks.count, (c + 1) * chunk) {
              let task = tasks[k]
              out[k] = Result { () throws(ModelError) -> LinearModel in
                try LinearModel.fit(task.kind, on: task.set, l2: task.l2, standardize: task.standardize, weights: task.weights, threads: 1)
              }
            }
            c += workers
          }
        }
        if workers == 1 { run(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: run) }
      }
    }
    return results
  }

  /// The number of active cores.
  public static var defaultThreadCount: Int { ProcessInfoCores.count }
}

/// The active processor count without importing Foundation into the public API.
enum ProcessInfoCores {
  static var count: Int {
    #if canImport(Glibc)
    return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    #else
    return 2
    #endif
  }
}
