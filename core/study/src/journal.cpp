#include "ncvx/study/journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "ncvx/errors.hpp"
#include "ncvx/study/output.hpp"
#include "ncvx/random_stream.hpp"

namespace ncvx {

namespace fs = std::filesystem;

namespace {

std::string checksum(std::string_view text) { return fmt::format("{:016x}", fnv1a64(text)); }

RunStatus status_from(const std::string& name) {
  for (RunStatus status : {RunStatus::converged, RunStatus::budget, RunStatus::diverged, RunStatus::failed})
    if (name == to_string(status)) return status;
  throw Error("unknown status '" + name + "'");
}

double real_from(const std::string& text) {
  if (text == "nan") return std::nan("");
  return std::stod(text);
}

/// The prefix of a record's summary row, written escaped on one line.
constexpr std::string_view kRowMark = "#row ";
/// The prefix of a record's time axis line.
constexpr std::string_view kSecondsMark = "#seconds ";

/// `text` on one line, decoded exactly by unescape_line: a backslash, a
/// newline, a carriage return and a NUL as \\, \n, \r and \0. A message or a
/// label with any bytes (a Python traceback, a quote, a comma) cannot cut
/// its record.
std::string escape_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\0': out += "\\0"; break;
      default: out += c;
    }
  }
  return out;
}

std::string unescape_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) throw Error("an escape cut at the end of the row");
    switch (text[i]) {
      case '\\': out += '\\'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case '0': out += '\0'; break;
      default: throw Error(fmt::format("an unknown escape \\{} in the row", text[i]));
    }
  }
  return out;
}

/// `text` with control characters as spaces (the worker's name).
std::string one_line(std::string text) {
  for (char& c : text)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return text;
}

/// Writes all of `text` to a descriptor (one call in the usual case).
void write_all(int descriptor, const std::string& text, const fs::path& file) {
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t count = ::write(descriptor, text.data() + written, text.size() - written);
    if (count < 0) {
      if (errno == EINTR) continue;
      throw Error(fmt::format("cannot write {}: {}.", file.string(), std::strerror(errno)));
    }
    written += static_cast<std::size_t>(count);
  }
}

/// Parses the record that starts at `at` in `text`; nullopt (and `why`) when
/// it is cut or damaged. On success `at` moves past it.
std::optional<JournalRecord> parse_one(const std::string& text, std::size_t& at, std::string& why) {
  auto line_at = [&](std::size_t position, std::size_t& next) -> std::optional<std::string> {
    const auto end = text.find('\n', position);
    if (end == std::string::npos) return std::nullopt;
    next = end + 1;
    return text.substr(position, end - position);
  };
  std::size_t next = at;
  const auto head = line_at(at, next);
  if (!head || head->rfind("#run ", 0) != 0) {
    why = "a record does not start with #run";
    return std::nullopt;
  }
  JournalRecord record;
  try {
    record.table.id = std::stol(head->substr(5));
    const auto table = line_at(next, next);
    if (!table || table->rfind("#table ", 0) != 0) throw Error("no #table line");
    std::istringstream fields(table->substr(7));
    std::string status, final_error, best_error, train, iterations, seconds;
    if (!(fields >> status >> final_error >> best_error >> train >> iterations >> seconds)) throw Error("short #table line");
    record.table.status = status_from(status);
    record.table.final_error = real_from(final_error);
    record.table.best_error = real_from(best_error);
    record.table.final_train_loss = real_from(train);
    record.table.iterations = std::stol(iterations);
    record.table.seconds = real_from(seconds);
    const auto worker = line_at(next, next);
    if (!worker || worker->rfind("#worker", 0) != 0) throw Error("no #worker line");
    record.worker = worker->size() > 8 ? worker->substr(8) : "";
    auto summary = line_at(next, next);
    if (summary && summary->rfind(kSecondsMark, 0) == 0) {  // the time axis (absent before ncvx 0.3)
      record.seconds = summary->substr(kSecondsMark.size());
      summary = line_at(next, next);
    }
    if (!summary) throw Error("no summary row");
    // Records of ncvx 0.2.0 and earlier hold the row as it is, without the mark.
    record.summary_row = summary->rfind(kRowMark, 0) == 0 ? unescape_line(std::string_view(*summary).substr(kRowMark.size()))
                                                          : *summary;
    // Metrics rows until the #end line.
    const std::string end_mark = fmt::format("#end {} ", record.table.id);
    std::size_t rows_start = next;
    while (true) {
      std::size_t after = next;
      const auto line = line_at(next, after);
      if (!line) throw Error("cut before its #end line");
      if (line->rfind("#end ", 0) == 0) {
        if (line->rfind(end_mark, 0) != 0) throw Error("its #end line names another run");
        if (line->substr(end_mark.size()) != checksum(std::string_view(text).substr(at, next - at)))
          throw Error("its checksum does not match");
        record.metrics_rows = text.substr(rows_start, next - rows_start);
        at = after;
        return record;
      }
      next = after;
    }
  } catch (const std::exception& error) {
    why = fmt::format("the record of run {} is damaged ({})", head->substr(5), error.what());
    return std::nullopt;
  }
}

}  // namespace

JournalRecord make_record(const Experiment& experiment, const RunSpec& run, const RunResult& result,
                          const std::string& worker) {
  JournalRecord record;
  record.table = {result.id,        result.status,     result.final_error, result.best_error,
                  result.final_train_loss, result.iterations, result.wall_seconds};
  record.worker = worker;
  record.summary_row = summary_row(experiment, run, result);
  record.metrics_rows = metrics_rows(result);
  for (std::size_t row = 0; row < result.logged_seconds.size(); ++row)
    record.seconds += fmt::format("{}{:.6f}", row ? " " : "", result.logged_seconds[row]);
  return record;
}

std::string to_text(const JournalRecord& record) {
  const TableEntry& t = record.table;
  std::string text = fmt::format("#run {}\n#table {} {} {} {} {} {}\n#worker {}\n", t.id, to_string(t.status),
                                 number(t.final_error), number(t.best_error), number(t.final_train_loss),
                                 t.iterations, number(t.seconds), one_line(record.worker));
  if (!record.seconds.empty()) text += fmt::format("{}{}\n", kSecondsMark, one_line(record.seconds));
  text += fmt::format("{}{}\n{}", kRowMark, escape_line(record.summary_row), record.metrics_rows);
  return text + fmt::format("#end {} {}\n", t.id, checksum(text));
}

JournalWriter::JournalWriter(const fs::path& file) : file_(file) {
  descriptor_ = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (descriptor_ < 0) throw Error(fmt::format("cannot open {}: {}.", file.string(), std::strerror(errno)));
}

JournalWriter::~JournalWriter() {
  if (descriptor_ >= 0) ::close(descriptor_);
}

void JournalWriter::append(const JournalRecord& record) { write_all(descriptor_, to_text(record), file_); }

void JournalWriter::append_text(const std::string& records) { write_all(descriptor_, records, file_); }

std::vector<JournalRecord> parse_records(const std::string& text, const std::string& source) {
  std::vector<JournalRecord> records;
  for (std::size_t at = 0; at < text.size();) {
    std::string why;
    auto record = parse_one(text, at, why);
    if (!record) throw Error(fmt::format("{}: {}.", source, why));
    records.push_back(std::move(*record));
  }
  return records;
}

JournalIndex index_journal(const fs::path& file, bool with_tables) {
  // Streamed: one record in memory at a time, whatever the journal's size.
  JournalIndex index;
  index.file = file;
  std::ifstream stream(file, std::ios::binary);
  if (!stream) return index;
  std::string record, line;
  std::uint64_t offset = 0, start = 0;
  auto damaged = [&](const std::string& why) {
    index.damaged.push_back(fmt::format("{}: {} at byte {} (skipped)", file.string(), why, start));
  };
  while (std::getline(stream, line)) {
    const bool complete_line = !stream.eof();
    const std::uint64_t length = line.size() + (complete_line ? 1 : 0);
    if (line.rfind("#run ", 0) == 0 && !record.empty()) {  // a record without its #end
      damaged("a record cut before its #end line");
      record.clear();
    }
    if (record.empty()) start = offset;
    offset += length;
    if (!complete_line) {  // a last line cut in the middle
      damaged("a record cut in the middle of a line");
      record.clear();
      break;
    }
    record += line;
    record += '\n';
    if (line.rfind("#end ", 0) != 0) continue;
    std::size_t at = 0;
    std::string why;
    if (auto parsed = parse_one(record, at, why)) {
      index.records.push_back({parsed->table.id, start, offset - start});
      index.end_of_records = offset;
      if (with_tables) index.tables.push_back(parsed->table);
    } else
      damaged(why);
    record.clear();
  }
  if (!record.empty()) damaged("a record cut before its #end line");
  index.size = offset;
  return index;
}

std::string cut_damaged_tail(const JournalIndex& index) {
  if (index.size <= index.end_of_records) return "";
  const fs::path aside = index.file.string() + ".damaged";
  {
    std::ifstream stream(index.file, std::ios::binary);
    stream.seekg(static_cast<std::streamoff>(index.end_of_records));
    std::ofstream kept(aside, std::ios::binary | std::ios::app);
    if (!(kept << stream.rdbuf()) || !kept.flush())
      throw Error(fmt::format("cannot keep the damaged tail of {} in {}.", index.file.string(), aside.string()));
  }
  std::error_code error;
  fs::resize_file(index.file, index.end_of_records, error);
  if (error) throw Error(fmt::format("cannot cut the damaged tail of {}: {}.", index.file.string(), error.message()));
  return fmt::format("{}: {} bytes after the last complete record (a run cut while it was written) moved to {}",
                     index.file.string(), index.size - index.end_of_records, aside.string());
}

JournalRecord read_record(const fs::path& file, const RecordLocation& location) {
  std::ifstream stream(file, std::ios::binary);
  return read_record(stream, file, location);
}

JournalRecord read_record(std::ifstream& stream, const fs::path& file, const RecordLocation& location) {
  stream.clear();
  stream.seekg(static_cast<std::streamoff>(location.offset));
  std::string text(location.length, '\0');
  stream.read(text.data(), static_cast<std::streamsize>(location.length));
  if (!stream) throw Error(fmt::format("cannot read back a record of {}.", file.string()));
  return parse_records(text, file.string()).front();
}

void write_atomically(const fs::path& file, const std::string& text) {
  const fs::path temporary = file.string() + ".partial";
  {
    std::ofstream stream(temporary, std::ios::binary | std::ios::trunc);
    if (!(stream << text) || !stream.flush())
      throw Error(fmt::format("cannot write {}.", temporary.string()));
  }
  std::error_code error;
  fs::rename(temporary, file, error);
  if (error) throw Error(fmt::format("cannot rename {} to {}: {}.", temporary.string(), file.string(), error.message()));
}

}  // namespace ncvx
