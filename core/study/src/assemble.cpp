// Assembling a results folder's CSV files from its journal (journal.hpp).

#include <fstream>
#include <map>

#include <fmt/format.h>

#include "ncvx/errors.hpp"
#include "ncvx/study/journal.hpp"
#include "ncvx/study/output.hpp"

namespace ncvx {

namespace fs = std::filesystem;

namespace {

/// Throws Error, naming how many and which runs, when a run has no record.
void refuse_missing(const std::vector<std::pair<const JournalIndex*, const RecordLocation*>>& where) {
  std::vector<std::size_t> missing;
  for (std::size_t id = 0; id < where.size(); ++id)
    if (!where[id].first) missing.push_back(id);
  if (missing.empty()) return;
  std::string listed;
  for (std::size_t i = 0; i < missing.size() && i < 10; ++i) listed += (i ? ", " : "") + std::to_string(missing[i]);
  throw Error(fmt::format("{} of {} runs have no record (runs {}{}); resume the sweep (ncvx run ... --resume) or "
                          "merge the missing shards.",
                          missing.size(), where.size(), listed, missing.size() > 10 ? ", ..." : ""));
}

/// A file written through a temporary one and a rename: absent or whole.
struct Output {
  fs::path file, temporary;
  std::ofstream stream;
};

Output open_output(const fs::path& directory, const char* name, const std::string& header) {
  Output output{directory / name, directory / (std::string(name) + ".partial"), {}};
  output.stream.open(output.temporary, std::ios::binary | std::ios::trunc);
  if (!output.stream) throw Error(fmt::format("cannot write {}.", output.temporary.string()));
  output.stream << header;
  return output;
}

void finish(Output& output) {
  output.stream.close();
  if (!output.stream) throw Error(fmt::format("cannot write {}.", output.temporary.string()));
  fs::rename(output.temporary, output.file);
}

/// A run's metrics rows ("ID,ITERATION,...") as tidy rows: `prefix` (the run's
/// id, method and swept values, seed) in place of the id.
void write_tidy_rows(std::ofstream& stream, const std::string& prefix, const std::string& rows) {
  for (std::size_t at = 0; at < rows.size();) {
    const std::size_t end = rows.find('\n', at);
    const std::size_t comma = rows.find(',', at);
    if (end == std::string::npos || comma == std::string::npos || comma > end) break;
    stream << prefix;
    stream.write(rows.data() + comma, static_cast<std::streamsize>(end + 1 - comma));
    at = end + 1;
  }
}

/// A run's time axis as seconds.csv rows "ID,ITERATION,SECONDS", one per
/// metrics row (the iteration read from it); none for a record without one.
void write_seconds_rows(std::ofstream& stream, const std::string& rows, const std::string& seconds) {
  if (seconds.empty()) return;
  std::size_t next = 0;
  for (std::size_t at = 0; at < rows.size();) {
    const std::size_t end = rows.find('\n', at);
    const std::size_t second_comma = rows.find(',', rows.find(',', at) + 1);
    if (end == std::string::npos || second_comma > end) break;
    const std::size_t begin = seconds.find_first_not_of(' ', next);
    const std::size_t stop = begin == std::string::npos ? begin : seconds.find(' ', begin);
    const std::string field = begin == std::string::npos ? "" : seconds.substr(begin, stop - begin);
    next = stop == std::string::npos ? seconds.size() : stop;
    // A field that is not a plain decimal (a damaged or foreign record) is written as nan.
    const bool plain = !field.empty() && field.find_first_not_of("0123456789.") == std::string::npos;
    stream.write(rows.data() + at, static_cast<std::streamsize>(second_comma - at));
    stream << ',' << (plain ? field : "nan") << '\n';
    at = end + 1;
  }
}

}  // namespace

void assemble_results(const fs::path& directory, const Experiment& experiment,
                      const std::vector<JournalIndex>& journals, bool partial) {
  // The record of each run: the last complete one over the journals.
  const std::size_t count = experiment.run_count();
  std::vector<std::pair<const JournalIndex*, const RecordLocation*>> where(count, {nullptr, nullptr});
  for (const auto& journal : journals)
    for (const auto& location : journal.records)
      if (location.id >= 0 && static_cast<std::size_t>(location.id) < count)
        where[static_cast<std::size_t>(location.id)] = {&journal, &location};
  if (!partial) refuse_missing(where);
  // Streamed into the temporary files, one record at a time.
  Output metrics = open_output(directory, "metrics.csv", metrics_header(experiment));
  Output tidy = open_output(directory, "tidy.csv", tidy_header(experiment));
  Output summary = open_output(directory, "summary.csv", summary_header(experiment));
  Output timing = open_output(directory, "timing.csv", "run_id,wall_seconds,worker\n");
  Output seconds = open_output(directory, "seconds.csv", "run_id,iteration,seconds\n");
  std::map<const JournalIndex*, std::ifstream> readers;
  for (const auto& journal : journals) readers[&journal].open(journal.file, std::ios::binary);
  for (std::size_t id = 0; id < count; ++id) {
    const auto [journal, location] = where[id];
    if (!journal) continue;  // a partial view's missing run
    const JournalRecord record = read_record(readers[journal], journal->file, *location);
    metrics.stream << record.metrics_rows;
    write_tidy_rows(tidy.stream, tidy_prefix(experiment, experiment.run(id)), record.metrics_rows);
    summary.stream << record.summary_row << "\n";
    timing.stream << fmt::format("{},{:.6f},{}\n", id, record.table.seconds, csv_field(record.worker));
    write_seconds_rows(seconds.stream, record.metrics_rows, record.seconds);
  }
  for (Output* output : {&metrics, &tidy, &summary, &timing, &seconds}) finish(*output);
}

}  // namespace ncvx
