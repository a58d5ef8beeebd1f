// File and stdin helpers. Tokens arrive from shells, files and pipes with
// stray newlines and CRLF endings; trimming here means the library only ever
// sees the token bytes (it rightly rejects whitespace inside base64url).
#include <sys/stat.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli.h"

namespace tvcli {

std::optional<std::string> ReadFile(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    error = "read error";
    return std::nullopt;
  }
  return std::move(buf).str();
}

std::string ReadAllStdin() {
  // Past the cap the input is read and dropped: what is kept is still larger
  // than any token a verifier accepts, so the library refuses it as
  // TV_ERR_TOKEN_TOO_LARGE without the memory.
  std::string text;
  std::streambuf* in = std::cin.rdbuf();
  for (int c = in->sbumpc(); c != std::char_traits<char>::eof(); c = in->sbumpc())
    if (text.size() < kMaxInputLine) text.push_back(static_cast<char>(c));
  return text;
}

bool ReadLine(std::istream& from, std::string* line, bool* too_long) {
  line->clear();
  *too_long = false;
  std::streambuf* in = from.rdbuf();
  int c = in->sbumpc();
  if (c == std::char_traits<char>::eof()) return false;
  for (; c != std::char_traits<char>::eof() && c != '\n'; c = in->sbumpc()) {
    if (line->size() < kMaxInputLine)
      line->push_back(static_cast<char>(c));
    else
      *too_long = true;  // the rest of the line is skipped, not kept
  }
  if (*too_long) line->clear();
  return true;
}

std::string_view TrimToken(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool IsExistingFile(const std::string& path) {
  // stat rather than std::filesystem: no exceptions to handle. Directories do
  // not count, so `--jwks .` falls through to the library as (invalid) JSON.
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
}

void WriteLine(std::FILE* to, std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), to);
  std::fputc('\n', to);
}

}  // namespace tvcli
