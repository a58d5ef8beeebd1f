// "host:port" and the listening socket behind it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tvserve {

struct ListenAddress {
  std::string host;   // a name, an IPv4 literal, or an IPv6 literal without brackets
  uint16_t port = 0;  // 0: the kernel picks one (tests)
};

// ParseListenAddress reads "host:port", "[v6]:port" or ":port" (all
// interfaces). Returns nullopt and sets |error| on anything else.
std::optional<ListenAddress> ParseListenAddress(std::string_view text, std::string& error);

// OpenListener binds and listens (SO_REUSEADDR, non-blocking, close-on-exec).
// Returns the socket, or -1 with |error| set. |*bound_port| gets the port the
// kernel gave (useful with port 0).
int OpenListener(const ListenAddress& address, int backlog, uint16_t* bound_port, std::string& error);

// "host:port" for messages, with brackets around an IPv6 literal.
std::string FormatListenAddress(const ListenAddress& address, uint16_t port);

}  // namespace tvserve
