package dev.tokenverify;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal JSON reader for {@link Claims#toMap()} and the decision's JSON: the engine has
 * already checked the documents it hands over (strict JSON, valid UTF-8, no duplicate
 * members), so this only turns text into Java values; it still refuses what is not JSON.
 */
final class Json {
  private final String s;
  private int i;

  private Json(String s) {
    this.s = s;
  }

  /** Parses one JSON value (objects become unmodifiable maps, arrays unmodifiable lists). */
  static Object parse(String text) {
    Json p = new Json(text);
    p.ws();
    Object v = p.value(0);
    p.ws();
    if (p.i != text.length()) throw p.error("trailing text");
    return v;
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException("tokenverify: invalid JSON at offset " + i + ": " + what);
  }

  private void ws() {
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      i++;
    }
  }

  private Object value(int depth) {
    if (depth > 512) throw error("nested too deeply");
    if (i >= s.length()) throw error("unexpected end");
    char c = s.charAt(i);
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        throw error("unexpected '" + c + "'");
    }
  }

  private Object literal(String word, Object v) {
    if (!s.startsWith(word, i)) throw error("expected " + word);
    i += word.length();
    return v;
  }

  private Map<String, Object> object(int depth) {
    i++;  // {
    Map<String, Object> m = new LinkedHashMap<>();
    ws();
    if (i < s.length() && s.charAt(i) == '}') {
      i++;
      return Collections.unmodifiableMap(m);
    }
    while (true) {
      ws();
      if (i >= s.length() || s.charAt(i) != '"') throw error("expected a member name");
      String key = string();
      ws();
      if (i >= s.length() || s.charAt(i) != ':') throw error("expected ':'");
      i++;
      ws();
      m.put(key, value(depth + 1));
      ws();
      if (i >= s.length()) throw error("unexpected end");
      char c = s.charAt(i++);
      if (c == '}') return Collections.unmodifiableMap(m);
      if (c != ',') throw error("expected ',' or '}'");
    }
  }

  private List<Object> array(int depth) {
    i++;  // [
    List<Object> l = new ArrayList<>();
    ws();
    if (i < s.length() && s.charAt(i) == ']') {
      i++;
      return Collections.unmodifiableList(l);
    }
    while (true) {
      ws();
      l.add(value(depth + 1));
      ws();
      if (i >= s.length()) throw error("unexpected end");
      char c = s.charAt(i++);
      if (c == ']') return Collections.unmodifiableList(l);
      if (c != ',') throw error("expected ',' or ']'");
    }
  }

  private String string() {
    i++;  // "
    StringBuilder b = null;
    int start = i;
    while (true) {
      if (i >= s.length()) throw error("unterminated string");
      char c = s.charAt(i);
      if (c == '"') {
        String tail = s.substring(start, i++);
        return b == null ? tail : b.append(tail).toString();
      }
      if (c < 0x20) throw error("control character in string");
      if (c != '\\') {
        i++;
        continue;
      }
      if (b == null) b = new StringBuilder();
      b.append(s, start, i);
      if (i + 1 >= s.length()) throw error("unterminated escape");
      char e = s.charAt(i + 1);
      i += 2;
      switch (e) {
        case '"' -> b.append('"');
        case '\\' -> b.append('\\');
        case '/' -> b.append('/');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          if (i + 4 > s.length()) throw error("short \\u escape");
          try {
            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          } catch (NumberFormatException x) {
            throw error("bad \\u escape");
          }
          i += 4;
        }
        default -> throw error("bad escape");
      }
      start = i;
    }
  }

  private Object number() {
    int start = i;
    if (s.charAt(i) == '-') i++;
    if (i >= s.length()) throw error("bad number");
    if (s.charAt(i) == '0') {
      i++;
    } else if (s.charAt(i) >= '1' && s.charAt(i) <= '9') {
      while (i < s.length() && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) i++;
    } else {
      throw error("bad number");
    }
    boolean integral = true;
    if (i < s.length() && s.charAt(i) == '.') {
      integral = false;
      i++;
      int d = i;
      while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
      if (i == d) throw error("bad fraction");
    }
    if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      integral = false;
      i++;
      if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
      int d = i;
      while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
      if (i == d) throw error("bad exponent");
    }
    String text = s.substring(start, i);
    if (!integral) return Double.parseDouble(text);
    if (text.length() < 19) return Long.parseLong(text);
    BigInteger big = new BigInteger(text);
    return big.bitLength() < 64 ? (Object) big.longValue() : big;
  }
}
