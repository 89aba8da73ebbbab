/// The version stamped into every manifest (`kairos_version`) and printed by `kairos --version`.
public enum KairosVersion {
  public static let current = "0.1.0"
}
