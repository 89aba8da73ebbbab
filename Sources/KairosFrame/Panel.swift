import KairosCore

/// Several assets on one timeline: for each field (`close`, `volume`, a feature …) a
/// time × asset matrix.
///
/// Each field is stored column-major (time fastest), so one asset's series is contiguous and
/// `panel.series(field, asset:)` is a zero-copy `Column`; the whole block can be handed to BLAS
/// as a rows × assets matrix with leading dimension `rowCount`.
public struct Panel: Sendable {
  public let index: TimeIndex
  public let assets: [String]
  public let fields: [String]
  @usableFromInline internal let _storage: [String: [Double]]

  /// Aligns `frames` (one per asset, in order) and gathers `fields` (default: the fields every
  /// frame has, in the first frame's order).
  public init(
    assets: [String], frames: [Frame], fields: [String]? = nil, join: JoinKind = .inner
  ) throws(FrameError) {
    guard assets.count == frames.count else {
      throw FrameError.shapeMismatch(what: "asset list", expected: frames.count, found: assets.count)
    }
    guard Set(assets).count == assets.count else {
      throw FrameError.invalidArgument(name: "assets", reason: "asset names must be unique")
    }
    let chosen = fields ?? (frames.first?.columnNames.filter { name in frames.allSatisfy { $0.hasColumn(name) } } ?? [])
    let aligned = Frame.align(frames, join: join)
    let index = aligned.first?.index ?? .empty
    var storage: [String: [Double]] = [:]
    for field in chosen {
      var block = [Double]()
      block.reserveCapacity(index.count * frames.count)
      for frame in aligned { block.append(contentsOf: try frame.column(field)) }
      storage[field] = block
    }
    self.index = index
    self.assets = assets
    self.fields = chosen
    self._storage = storage
  }

  @inlinable public var rowCount: Int { index.count }

  /// One asset's series of one field (zero-copy).
  public func series(_ field: String, asset: String) throws(FrameError) -> Column<Double> {
    guard let block = _storage[field] else { throw FrameError.columnNotFound(name: field, available: fields) }
    guard let a = assets.firstIndex(of: asset) else { throw FrameError.columnNotFound(name: asset, available: assets) }
    return Column(block[(a * rowCount)..<((a + 1) * rowCount)])
  }

  /// The value of `field` for asset number `asset` at row `row`.
  public func value(_ field: String, row: Int, asset: Int) throws(FrameError) -> Double {
    guard let block = _storage[field] else { throw FrameError.columnNotFound(name: field, available: fields) }
    return block[asset * rowCount + row]
  }

  /// Calls `body` with the field's rows × assets block, column-major (leading dimension `rowCount`).
  /// The pointer is valid only during `body`.
  public func withUnsafeBufferPointer<R>(
    field: String, _ body: (UnsafeBufferPointer<Double>) throws -> R
  ) throws -> R {
    guard let block = _storage[field] else { throw FrameError.columnNotFound(name: field, available: fields) }
    return try block.withUnsafeBufferPointer(body)
  }
}
