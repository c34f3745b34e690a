#pragma once
// The results journal: how a sweep survives being killed.
//
// Every finished run is appended to DIR/runs.journal at once, as one record
// written with a single write() call:
//
//   #run ID
//   #table STATUS FINAL_ERROR BEST_ERROR FINAL_TRAIN_LOSS ITERATIONS SECONDS
//   #worker WHO
//   #seconds S_0 S_1 ...   (the time axis: seconds at each logged iteration)
//   #row <the run's row of summary.csv, escaped>
//   <its lines of metrics.csv>
//   #end ID CHECKSUM
//
// (CHECKSUM: FNV-1a 64 of the record's text before the #end line, in hex).
// The summary row is the one field that carries free text (labels, swept
// values, a failure's message, which may be a Python traceback): it is kept
// on its line with a backslash, newline, carriage return and NUL written as
// \\, \n, \r and \0, and read back exactly, so no message can cut a record.
// (Records written by ncvx 0.2.0 and earlier have the row without `#row `
// and are read as before; records without `#seconds` have no time axis.)
// A reader keeps the complete records and reports a cut or damaged tail, so
// after `kill -9` at any moment every finished run is kept and nothing read
// is wrong. The record is in the page cache once write() returns: killing
// the process loses nothing; only a power cut can (no fsync per run, which
// would cost milliseconds each).
//
// metrics.csv, tidy.csv, summary.csv, timing.csv and seconds.csv are assembled from the journal,
// in run-id order, when the sweep ends (and by `ncvx merge` from several
// journals), each written to a temporary file and renamed: they are either
// absent or complete. Everything in them but timing.csv and seconds.csv is a function of the
// configuration alone, so a resumed, sharded or distributed sweep ends with
// the same bytes as one uninterrupted process.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "ncvx/study/experiment.hpp"
#include "ncvx/study/runner.hpp"

namespace ncvx {

/// What the comparison table needs of a run.
struct TableEntry {
  Index id = 0;
  RunStatus status = RunStatus::failed;
  double final_error = 0, best_error = 0, final_train_loss = 0;
  Index iterations = 0;
  double seconds = 0;

  bool counts() const { return status == RunStatus::converged || status == RunStatus::budget; }
};

struct JournalRecord {
  TableEntry table;
  std::string worker;        ///< who ran it: "" (this process), "rank 3", "shard 2/4", ...
  std::string summary_row;   ///< without its newline
  std::string metrics_rows;  ///< each line with its newline
  /// Seconds at each metrics row (the time axis), as written: "S_0 S_1 ..."; empty when absent.
  std::string seconds;
};

/// The record of a finished run (its summary row, metrics rows and table entry).
JournalRecord make_record(const Experiment& experiment, const RunSpec& run, const RunResult& result,
                          const std::string& worker = "");

/// The record as journal text (ending with its #end line).
std::string to_text(const JournalRecord& record);

/// Appends records to a journal file (created if absent). One write() per record.
class JournalWriter {
 public:
  explicit JournalWriter(const std::filesystem::path& file);
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  void append(const JournalRecord& record);
  /// Appends text that is already a sequence of complete records (from a worker).
  void append_text(const std::string& records);

 private:
  std::filesystem::path file_;
  int descriptor_ = -1;
};

/// Where a complete record lies in a journal file.
struct RecordLocation {
  Index id = 0;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

struct JournalIndex {
  std::filesystem::path file;
  std::vector<RecordLocation> records;  ///< complete records, in file order (the last of each id wins)
  std::vector<TableEntry> tables;       ///< their table entries, when asked for
  std::vector<std::string> damaged;     ///< "file: ..." for a cut or damaged part (skipped)
  std::uint64_t end_of_records = 0;     ///< the byte after the last complete record
  std::uint64_t size = 0;               ///< the bytes read
};

/// Indexes the complete records of a journal (a missing file has none),
/// streaming it: one record in memory at a time.
JournalIndex index_journal(const std::filesystem::path& file, bool with_tables = false);

/// Before appending to a journal whose end is damaged (a record cut by a
/// full disk or a kill in the middle of a write): moves the bytes after the
/// last complete record to FILE.damaged and cuts them off, so the next record
/// starts on a line of its own. Returns a note saying so, or "" when the
/// journal ends with a complete record.
std::string cut_damaged_tail(const JournalIndex& index);

/// Parses records from journal text (a worker's output); throws Error on damage.
std::vector<JournalRecord> parse_records(const std::string& text, const std::string& source);

/// Reads one record back (from an open stream of the journal, or its file).
JournalRecord read_record(std::ifstream& stream, const std::filesystem::path& file, const RecordLocation& location);
JournalRecord read_record(const std::filesystem::path& file, const RecordLocation& location);

/// Writes DIR/metrics.csv, tidy.csv, summary.csv, timing.csv and seconds.csv from the
/// records of `journals` (in run-id order; each file via a temporary and a
/// rename). Throws Error, naming how many and which runs, when a run has no
/// record, unless `partial` (a view of a shard or an unfinished sweep: the
/// runs that have one).
void assemble_results(const std::filesystem::path& directory, const Experiment& experiment,
                      const std::vector<JournalIndex>& journals, bool partial = false);

/// The file names of a results folder.
inline constexpr const char* kJournalFile = "runs.journal";

/// Writes `text` to `file` through a temporary file and a rename.
void write_atomically(const std::filesystem::path& file, const std::string& text);

}  // namespace ncvx
