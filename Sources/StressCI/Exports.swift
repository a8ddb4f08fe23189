// The library facade: `import StressCI` gives a Swift user the whole engine.
@_exported import Analysis
@_exported import Core
@_exported import Engine
@_exported import Metrics
@_exported import Reports
