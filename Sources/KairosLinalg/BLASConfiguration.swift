internal import CKairosOpenBLAS
#if canImport(Glibc)
import Glibc
#endif

/// The BLAS library in use and its thread count.
///
/// Inside a parallel sweep call `BLASConfiguration.setThreadCount(1)` before fanning out over
/// Dispatch (OpenBLAS threads and Dispatch threads would oversubscribe the cores); leave it
/// threaded for a single large solve.
public enum BLASConfiguration {
  /// OpenBLAS's build description, e.g. `OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Prescott MAX_THREADS=64`.
  public static var description: String {
    guard let text = openblas_get_config() else { return "unknown BLAS" }
    return String(cString: text)
  }

  /// The CPU kernel OpenBLAS chose at run time (e.g. `Haswell`, `Prescott`).
  public static var coreName: String {
    guard let text = openblas_get_corename() else { return "unknown" }
    return String(cString: text)
  }

  /// The number of threads OpenBLAS uses.
  public static var threadCount: Int { Int(openblas_get_num_threads()) }

  /// Sets the number of threads OpenBLAS uses (1 inside a Dispatch fan-out).
  public static func setThreadCount(_ count: Int) {
    precondition(count >= 1, "thread count must be positive, was \(count)")
    openblas_set_num_threads(Int32(count))
  }

  /// Stops OpenBLAS's idle worker threads; the next threaded BLAS call starts them again
  /// (OpenBLAS re-creates its pool on demand, as it does after a `fork`).
  ///
  /// Why: OpenBLAS starts its workers when the library loads, and each then spins on
  /// `sched_yield` for 2²⁸ cycles (about 0.1 s) waiting for work before it sleeps. A command
  /// that does no BLAS work at start-up — a sweep, a backtest, loading files — shares its
  /// cores with that spinning: on two cores it cost 40–70 ms of CPU per `kairos sweep`, about
  /// a third of the samples of a short one (perf, 2026-12-01). `kairos` calls this first.
  ///
  /// Call it only while no other thread is in a BLAS call (at start-up): OpenBLAS's shutdown
  /// takes back the workers' queues. Only OpenBLAS's pthreads build has this pool (Debian's
  /// default); with its serial or OpenMP build this does nothing, and the shutdown symbol is
  /// looked up, not linked, so a build without it still loads.
  public static func stopIdleThreads() {
    guard openblas_get_parallel() == 1, let symbol = dlsym(nil, "blas_thread_shutdown_") else { return }
    _ = unsafeBitCast(symbol, to: (@convention(c) () -> Int32).self)()
  }
}
