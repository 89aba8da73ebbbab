internal import CKairosOpenBLAS

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
}
