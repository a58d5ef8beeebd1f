package dev.tokenverify;

/**
 * A status other than {@code TV_OK} from the engine: a refused token or request, a bad
 * configuration, or a misuse. Unchecked, like jjwt's {@code JwtException}.
 *
 * <p>Each instance carries the status number ({@link #code()}), its C name ({@link #name()},
 * e.g. {@code "TV_ERR_EXPIRED"}), the message of the status table and its {@link
 * #statusClass()}. The concrete class says the class of the status: {@link
 * MalformedTokenException} (1xx), {@link HeaderException} (2xx), {@link SignatureException}
 * (3xx), {@link ClaimsException} (4xx), {@link KeyException} (5xx), {@link RequestException}
 * (6xx), {@link MisuseException} (9xx: misuse, configuration, internal). Configuration errors
 * also carry the engine's diagnostics: {@link #field()} (e.g. {@code "providers[0].issuer"})
 * and {@link #detail()}, human text that is not for matching.
 */
public class TokenVerifyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int code;
  private final String name;
  private final String field;
  private final String detail;

  TokenVerifyException(int code, String name, String message, String field, String detail) {
    super(describe(message, field, detail));
    this.code = code;
    this.name = name;
    this.field = field;
    this.detail = detail;
  }

  private static String describe(String message, String field, String detail) {
    if (detail == null || detail.isEmpty()) return message;
    if (field == null || field.isEmpty()) return message + ": " + detail;
    return message + ": " + field + ": " + detail;
  }

  /** The status number (tv_status), e.g. 400. */
  public int code() {
    return code;
  }

  /** The status's C name, e.g. {@code "TV_ERR_EXPIRED"}. */
  public String name() {
    return name;
  }

  /** The status, or null for a number this package's table does not have (a newer library). */
  public Status status() {
    return Status.fromCode(code);
  }

  /** The class of the status (from its range). */
  public StatusClass statusClass() {
    return StatusClass.of(code);
  }

  /** The configuration path at fault (e.g. {@code "providers[0].issuer"}), or null. */
  public String field() {
    return field;
  }

  /** The engine's diagnostic text for this failure, or null. For humans, not for matching. */
  public String detail() {
    return detail;
  }

  @Override
  public String toString() {
    return getClass().getName() + ": " + name + " (" + code + "): " + getMessage();
  }

  /** The typed exception for status {@code code}. */
  static TokenVerifyException of(int code) {
    return of(code, null, null);
  }

  static TokenVerifyException of(int code, String field, String detail) {
    Status s = Status.fromCode(code);
    String name;
    String message;
    if (s != null) {
      name = s.cName();
      message = s.message();
    } else {
      name = StatusNames.name(code);
      message = StatusNames.message(code);
    }
    if (field != null && field.isEmpty()) field = null;
    if (detail != null && detail.isEmpty()) detail = null;
    return switch (StatusClass.of(code)) {
      case MALFORMED -> new MalformedTokenException(code, name, message, field, detail);
      case HEADER -> new HeaderException(code, name, message, field, detail);
      case SIGNATURE -> new SignatureException(code, name, message, field, detail);
      case CLAIMS -> new ClaimsException(code, name, message, field, detail);
      case KEYS -> new KeyException(code, name, message, field, detail);
      case REQUEST -> new RequestException(code, name, message, field, detail);
      case MISUSE -> new MisuseException(code, name, message, field, detail);
      default -> new TokenVerifyException(code, name, message, field, detail);
    };
  }
}
