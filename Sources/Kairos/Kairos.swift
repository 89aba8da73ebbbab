@_exported import KairosCore
@_exported import KairosFrame
@_exported import KairosLinalg
@_exported import KairosIO
@_exported import KairosFeatures
@_exported import KairosModels
@_exported import KairosBacktest
@_exported import KairosReports
