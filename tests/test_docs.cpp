// Documentation that cannot rot: every block of docs/*.md introduced by
// "<!-- quote: PATH -->" must equal the file PATH (which CI compiles and runs).

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace {
std::string read(const std::filesystem::path& file) {
  std::ifstream stream(file);
  REQUIRE_MESSAGE(stream.good(), "cannot read " << file);
  std::stringstream buffer;
  buffer << stream.rdbuf();
  return buffer.str();
}
}  // namespace

TEST_CASE("docs: quoted example files match the files CI builds") {
  const std::filesystem::path source = NCVX_SOURCE_DIR;
  int quotes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(source / "docs")) {
    if (entry.path().extension() != ".md") continue;
    const std::string doc = read(entry.path());
    const std::string marker = "<!-- quote: ";
    for (auto at = doc.find(marker); at != std::string::npos; at = doc.find(marker, at + 1)) {
      const auto path_end = doc.find(" -->", at);
      const std::string path = doc.substr(at + marker.size(), path_end - at - marker.size());
      const auto fence = doc.find("```", path_end);
      const auto body = doc.find('\n', fence) + 1;
      const auto close = doc.find("\n```", body - 1);
      const std::string quoted = doc.substr(body, close + 1 - body);
      CAPTURE(entry.path().filename().string());
      CAPTURE(path);
      CHECK(quoted == read(source / path));
      ++quotes;
    }
  }
  CHECK(quotes >= 4);
}
