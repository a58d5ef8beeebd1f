package dev.tokenverify;

/** The class of a status, from its range (status.def's grouping). */
public enum StatusClass {
  /** 0: success. */
  OK,
  /** 1xx: the bytes are not a well-formed token (structure, base64url, JSON). */
  MALFORMED,
  /** 2xx: header and algorithm. */
  HEADER,
  /** 3xx: signature. */
  SIGNATURE,
  /** 4xx: time and claims (the signature verified; the claims are refused). */
  CLAIMS,
  /** 5xx: keys and key sets. */
  KEYS,
  /** 6xx: requests: credentials other than JWT, rules, request signatures. */
  REQUEST,
  /** 9xx: misuse, configuration and internal errors. */
  MISUSE,
  /** A number outside every range (a newer library). */
  UNKNOWN;

  /** The class of status number {@code code}. */
  public static StatusClass of(int code) {
    if (code == 0) return OK;
    return switch (code / 100) {
      case 1 -> MALFORMED;
      case 2 -> HEADER;
      case 3 -> SIGNATURE;
      case 4 -> CLAIMS;
      case 5 -> KEYS;
      case 6 -> REQUEST;
      case 9 -> MISUSE;
      default -> UNKNOWN;
    };
  }
}
