package dev.tokenverify;

/** How a request was authenticated (tv_auth_method). */
public enum AuthMethod {
  /** No credential needed, or AllowMissing without one. */
  NONE,
  JWT,
  BASIC,
  BEARER,
  API_KEY,
  HMAC;

  static AuthMethod of(int code) {
    return code >= 0 && code < values().length ? values()[code] : NONE;
  }
}
