package dev.tokenverify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void values() {
    Object v = Json.parse(" {\"a\": [1, -2, 3.5, 1e3, true, false, null], \"b\": {\"c\": \"x\\\"y\\u00e9\\n\\/\"},"
        + " \"big\": 123456789012345678901, \"max\": 9223372036854775807, \"e\": {}, \"l\": []} ");
    Map<?, ?> m = (Map<?, ?>) v;
    assertEquals(List.of("a", "b", "big", "max", "e", "l"), List.copyOf(m.keySet()));
    List<?> a = (List<?>) m.get("a");
    assertEquals(1L, a.get(0));
    assertEquals(-2L, a.get(1));
    assertEquals(3.5, a.get(2));
    assertEquals(1000.0, a.get(3));
    assertEquals(true, a.get(4));
    assertEquals(false, a.get(5));
    assertNull(a.get(6));
    assertEquals("x\"y\u00e9\n/", ((Map<?, ?>) m.get("b")).get("c"));
    assertEquals(new BigInteger("123456789012345678901"), m.get("big"));
    assertEquals(Long.MAX_VALUE, m.get("max"));
    assertEquals(Map.of(), m.get("e"));
    assertEquals(List.of(), m.get("l"));
    assertEquals("\ud83d\ude00", Json.parse("\"\\ud83d\\ude00\""));
  }

  @Test
  void refusesWhatIsNotJson() {
    for (String bad : new String[] {"", "{", "{\"a\"}", "[1,]", "01", "-", "1.", "1e", "tru", "\"\\x\"", "{} x",
        "\"a\n\"", "[1 2]", "{\"a\":1,}"}) {
      assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
    }
  }
}
