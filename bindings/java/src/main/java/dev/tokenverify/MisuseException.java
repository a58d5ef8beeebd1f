package dev.tokenverify;

/** Statuses 9xx: misuse, configuration or internal error (invalid argument, bad configuration, I/O). */
public class MisuseException extends TokenVerifyException {
  private static final long serialVersionUID = 1L;

  MisuseException(int code, String name, String message, String field, String detail) {
    super(code, name, message, field, detail);
  }
}
