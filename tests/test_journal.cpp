// The journal and the results folder: records that any text survives, a cut
// tail cut off before the next record, one writer per folder.

#include <doctest/doctest.h>

#include <unistd.h>

#include <fstream>

#include <fmt/format.h>

#include <ncvx/errors.hpp>
#include <ncvx/study/folder_lock.hpp>
#include <ncvx/study/journal.hpp>
#include <ncvx/study/output.hpp>
#include <ncvx/random_stream.hpp>

#include "support.hpp"

using namespace ncvx;
namespace fs = std::filesystem;

namespace {

JournalRecord record_of(Index id, const std::string& summary_row) {
  JournalRecord record;
  record.table.id = id;
  record.table.status = RunStatus::failed;
  record.table.final_error = std::nan("");
  record.worker = "worker\nwith a newline";
  record.summary_row = summary_row;
  record.metrics_rows = std::to_string(id) + ",0,1.5,2.5\n";
  return record;
}

std::string file_text(const fs::path& file) {
  std::ifstream stream(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(stream), {}};
}

}  // namespace

TEST_CASE("journal: a summary row with any bytes (newlines, NUL, #end lines) is read back exactly") {
  std::string every_byte;
  for (int c = 0; c < 256; ++c) every_byte += static_cast<char>(c);
  const std::string row = "3,\"label\nsecond line\",\"" + every_byte + "\",\"\\n\\\\\n#end 3 0123456789abcdef\n#run 4\"";
  const std::string text = to_text(record_of(3, row)) + to_text(record_of(4, "4,plain"));
  const auto records = parse_records(text, "test");
  REQUIRE(records.size() == 2);
  CHECK(records[0].summary_row == row);
  CHECK(records[0].metrics_rows == "3,0,1.5,2.5\n");
  CHECK(records[0].worker == "worker with a newline");
  CHECK(records[1].summary_row == "4,plain");
  // Streamed from a file, too.
  test::TemporaryFolder folder("journal-bytes");
  const fs::path file = folder.write("runs.journal", text);
  const JournalIndex index = index_journal(file, true);
  CHECK(index.damaged.empty());
  REQUIRE(index.records.size() == 2);
  CHECK(read_record(file, index.records[0]).summary_row == row);
}

TEST_CASE("journal: records of ncvx 0.2.0 (a summary row without #row) still read") {
  const std::string body = "#run 0\n#table budget 0.5 0.25 0.125 10 0.01\n#worker \n0,gd,\"a \\ b\"\n0,0,1,2\n";
  const std::string text = body + "#end 0 " + fmt::format("{:016x}", fnv1a64(body)) + "\n";
  const auto records = parse_records(text, "old");
  REQUIRE(records.size() == 1);
  CHECK(records[0].summary_row == "0,gd,\"a \\ b\"");
  CHECK(records[0].table.final_error == 0.5);
}

TEST_CASE("journal: a tail cut in the middle of a line is moved aside before the next record is appended") {
  test::TemporaryFolder folder("journal-tail");
  const fs::path file = folder.path() / kJournalFile;
  {
    JournalWriter writer(file);
    writer.append(record_of(0, "0,a"));
    writer.append(record_of(1, "1,b"));
  }
  const std::string whole = file_text(file);
  const std::string cut = to_text(record_of(2, "2,c")).substr(0, 30);  // a full disk, mid-line
  std::ofstream(file, std::ios::binary | std::ios::app) << cut;

  JournalIndex index = index_journal(file);
  CHECK(index.records.size() == 2);
  CHECK(index.end_of_records == whole.size());
  const std::string note = cut_damaged_tail(index);
  CHECK(note.find("30 bytes after the last complete record") != std::string::npos);
  CHECK(file_text(file) == whole);
  CHECK(file_text(file.string() + ".damaged") == cut);
  // Before the fix, the next record was glued to the cut line and lost with it.
  JournalWriter(file).append(record_of(2, "2,c"));
  index = index_journal(file);
  CHECK(index.damaged.empty());
  CHECK(index.records.size() == 3);
  CHECK(cut_damaged_tail(index).empty());
}

TEST_CASE("results folder: a default name that exists gets a suffix, and a locked folder is refused, naming the holder") {
  test::TemporaryFolder folder("one-writer");
  const fs::path wanted = folder.path() / "results" / "quickstart-20261204-101010";
  CHECK(create_unique_folder(wanted) == wanted);
  CHECK(create_unique_folder(wanted) == fs::path(wanted.string() + "-2"));
  CHECK(create_unique_folder(wanted) == fs::path(wanted.string() + "-3"));
  {
    const FolderLock held(wanted, {"ncvx", "run", "a.yaml"});
    // flock locks belong to an open file: a second open, even in this process, is refused.
    const std::string holder = fmt::format("is in use by another ncvx (process {} on ", ::getpid());
    CHECK_THROWS_WITH_AS(FolderLock(wanted, {"ncvx", "run", "--resume"}), doctest::Contains(holder.c_str()), Error);
    CHECK_THROWS_WITH_AS(FolderLock(wanted, {}), doctest::Contains("(ncvx run a.yaml)"), Error);
  }
  const FolderLock again(wanted, {});  // released with its holder
}
