/// The tool's version, printed by `--version` and written into every result.
public let stressCIVersion = "0.1.0"
