package dev.tracepoke.snapshot;

import java.util.Map;
import java.util.Optional;

/**
 * A core device's {@code type=} name and what OpenCSD 1.3.3 derives from it: the architecture
 * version (which decides, e.g., whether pointer-authentication branches are waypoints: only from
 * v8.3) and the profile. Known names are the Cortex cores of OpenCSD's table, plus the patterns
 * {@code ARMv<M>[.<m>]-<P>} and {@code ARM-AA64[-<P>]} / {@code ARM-aa64[-<P>]}.
 *
 * @param name the name as written in the snapshot
 */
public record CoreType(String name, Arch arch, Profile profile) {

  /** Architecture versions OpenCSD distinguishes. */
  public enum Arch {
    V7,
    /** v8.0 to v8.2. */
    V8,
    /** v8.3: adds pointer-authentication branches (BRAA, RETAA, ERETAA, ...). */
    V8R3,
    /** v8.4 and later ("AA64" in OpenCSD). */
    AA64
  }

  /** Core profiles. */
  public enum Profile {
    A,
    R,
    M
  }

  private static final Map<String, CoreType> KNOWN =
      Map.ofEntries(
          core("Cortex-A78", Arch.V8, Profile.A),
          core("Cortex-A77", Arch.V8R3, Profile.A),
          core("Cortex-A76", Arch.V8R3, Profile.A),
          core("Cortex-A75", Arch.V8R3, Profile.A),
          core("Cortex-A73", Arch.V8, Profile.A),
          core("Cortex-A72", Arch.V8, Profile.A),
          core("Cortex-A65", Arch.V8R3, Profile.A),
          core("Cortex-A57", Arch.V8, Profile.A),
          core("Cortex-A55", Arch.V8R3, Profile.A),
          core("Cortex-A53", Arch.V8, Profile.A),
          core("Cortex-A35", Arch.V8, Profile.A),
          core("Cortex-A32", Arch.V8, Profile.A),
          core("Cortex-A17", Arch.V7, Profile.A),
          core("Cortex-A15", Arch.V7, Profile.A),
          core("Cortex-A12", Arch.V7, Profile.A),
          core("Cortex-A9", Arch.V7, Profile.A),
          core("Cortex-A8", Arch.V7, Profile.A),
          core("Cortex-A7", Arch.V7, Profile.A),
          core("Cortex-A5", Arch.V7, Profile.A),
          core("Cortex-R52", Arch.V8, Profile.R),
          core("Cortex-R8", Arch.V7, Profile.R),
          core("Cortex-R7", Arch.V7, Profile.R),
          core("Cortex-R5", Arch.V7, Profile.R),
          core("Cortex-R4", Arch.V7, Profile.R),
          core("Cortex-M33", Arch.V8, Profile.M),
          core("Cortex-M23", Arch.V8, Profile.M),
          core("Cortex-M0", Arch.V7, Profile.M),
          core("Cortex-M0+", Arch.V7, Profile.M),
          core("Cortex-M3", Arch.V7, Profile.M),
          core("Cortex-M4", Arch.V7, Profile.M));

  private static Map.Entry<String, CoreType> core(String name, Arch arch, Profile profile) {
    return Map.entry(name, new CoreType(name, arch, profile));
  }

  /** The core type for a snapshot {@code type=} value, or empty if OpenCSD would reject it. */
  public static Optional<CoreType> of(String name) {
    CoreType known = KNOWN.get(name);
    if (known != null) {
      return Optional.of(known);
    }
    return pattern(name);
  }

  private static Optional<CoreType> pattern(String name) {
    if (name.startsWith("ARMv") && name.length() >= 7) {
      int major = name.charAt(4) - '0';
      int minor = 0;
      int rest = 5;
      if (name.charAt(5) == '.') {
        if (name.length() < 9) {
          return Optional.empty();
        }
        minor = name.charAt(6) - '0';
        rest = 7;
      }
      if (name.charAt(rest) != '-' || rest + 1 >= name.length() || minor < 0 || minor > 9) {
        return Optional.empty();
      }
      Arch arch;
      if (major == 7) {
        arch = Arch.V7;
      } else if (major == 8) {
        arch = minor < 3 ? Arch.V8 : minor == 3 ? Arch.V8R3 : Arch.AA64;
      } else if (major > 8 && major <= 9) {
        arch = Arch.AA64;
      } else {
        return Optional.empty();
      }
      Profile p =
          switch (name.charAt(rest + 1)) {
            case 'A' -> Profile.A;
            case 'R' -> Profile.R;
            case 'M' -> Profile.M;
            default -> null;
          };
      return p == null ? Optional.empty() : Optional.of(new CoreType(name, arch, p));
    }
    if (name.startsWith("ARM-AA64") || name.startsWith("ARM-aa64")) {
      Profile p = Profile.A;
      if (name.length() > 9 && name.charAt(8) == '-') {
        p = name.charAt(9) == 'R' ? Profile.R : name.charAt(9) == 'M' ? Profile.M : Profile.A;
      }
      return Optional.of(new CoreType(name, Arch.AA64, p));
    }
    return Optional.empty();
  }

  /** True if pointer-authentication branches are waypoints for this core (v8.3 and later). */
  public boolean hasPointerAuthBranches() {
    return arch == Arch.V8R3 || arch == Arch.AA64;
  }
}
