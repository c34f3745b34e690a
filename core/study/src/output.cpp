#include "ncvx/study/output.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ncvx/errors.hpp"
#include "ncvx/study/device_backend.hpp"
#include "ncvx/study/journal.hpp"
#include "ncvx/plugin_registry.hpp"
#include "ncvx/version.hpp"

#include "csv.hpp"
#include "spread.hpp"

namespace ncvx {

extern const char* const kGitCommit;  // git_commit.cpp, generated at build time

namespace {

namespace fs = std::filesystem;

}  // namespace

/// Shortest text that reads back to the same double; "nan" / "inf" as is.
std::string number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return fmt::format("{}", value);
}

/// An iteration, or "" when the event never happened (-1).
std::string reached(Index iteration) { return iteration < 0 ? "" : std::to_string(iteration); }

namespace {

std::string value_of(const RunSpec& run, const std::string& axis) {
  for (const auto& swept : run.swept)
    if (swept.axis == axis) return swept.value;
  return "";
}

double median(std::vector<double> values) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }),
               values.end());
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : 0.5 * (values[middle - 1] + values[middle]);
}

std::string host_name() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof buffer - 1) != 0) return "unknown";
  return buffer;
}

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

nlohmann::json abi_json(const AbiRecord& abi) {
  return {{"abi_version", abi.abi_version}, {"ncvx_version", abi.ncvx_version},
          {"compiler", abi.compiler},       {"cxx_runtime", abi.cxx_runtime},
          {"eigen", abi.eigen},             {"build_type", abi.build_type}};
}

/// The columns whose final value summary.csv reports: the core's errors and run.error.
std::vector<std::string> final_columns(const Experiment& experiment) {
  std::vector<std::string> columns;
  for (const char* core : {"train_loss", "test_error", "heldout_rmse", "validation_rmse"})
    if (experiment.column(core) >= 0) columns.emplace_back(core);
  if (std::find(columns.begin(), columns.end(), experiment.error) == columns.end())
    columns.push_back(experiment.error);
  return columns;
}

}  // namespace

std::string safe_file_name(const std::string& name) {
  std::string safe;
  for (const char c : name) {
    const bool kept = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    safe += kept ? c : '_';
  }
  while (!safe.empty() && safe.front() == '.') safe.erase(safe.begin());
  return safe.empty() ? "experiment" : safe.substr(0, 200);
}

void prepare_results_folder(const fs::path& directory) {
  std::error_code error;
  fs::create_directories(directory, error);
  if (error)
    throw Error(fmt::format("cannot create the results folder {}: {}.", directory.string(), error.message()));
  const fs::path probe = directory / ".ncvx-write-check";
  {
    std::ofstream stream(probe);
    if (!(stream << "ncvx\n") || !stream.flush())
      throw Error(fmt::format("cannot write in the results folder {}; choose another with --out.", directory.string()));
  }
  fs::remove(probe, error);
}

namespace {

/// The length of the valid UTF-8 sequence at `at` (RFC 3629: no overlong
/// forms, no surrogates, nothing above U+10FFFF), or 0.
std::size_t utf8_sequence(const std::string& text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xbf;  // the range of the second byte
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;
    if (lead == 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;
  } else
    return 0;
  if (at + length > text.size() || byte(at + 1) < low || byte(at + 1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i)
    if (byte(at + i) < 0x80 || byte(at + i) > 0xbf) return 0;
  return length;
}

}  // namespace

std::string csv_field(const std::string& text) {
  bool plain = true;
  for (std::size_t i = 0; i < text.size() && plain; ++i) {
    const char c = text[i];
    plain = c != ',' && c != '"' && c != '\n' && c != '\r' && c != '\0' && static_cast<unsigned char>(c) < 0x80;
  }
  if (plain) return text;
  std::string field;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_sequence(text, i);
    if (length == 0) {  // a byte that is not UTF-8 text
      field += "\uFFFD";
      ++i;
    } else if (text[i] == '\0') {  // pandas' C reader ends a field at a NUL
      field += "\u2400";
      ++i;
    } else {
      field.append(text, i, length);
      i += length;
    }
  }
  if (field.find_first_of(",\"\n\r") == std::string::npos) return field;
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

namespace {
/// Appends ",field" (written out so as not to build temporaries of "," + text).
void add_field(std::string& line, const std::string& field) {
  line += ',';
  line += field;
}
}  // namespace

std::string metrics_header(const Experiment& experiment) {
  std::string header = "run_id,iteration";
  for (const auto& name : experiment.columns) add_field(header, name);
  return header + "\n";
}

std::string tidy_header(const Experiment& experiment) {
  std::string header = "run_id,method";
  for (const auto& axis : experiment.axes) add_field(header, csv_field(axis));
  header += ",seed,iteration";
  for (const auto& name : experiment.columns) add_field(header, name);
  return header + "\n";
}

std::string tidy_prefix(const Experiment& experiment, const RunSpec& run) {
  std::string prefix = fmt::format("{},{}", run.id, csv_field(run.method.label));
  for (const auto& axis : experiment.axes) add_field(prefix, csv_field(value_of(run, axis)));
  add_field(prefix, std::to_string(run.seed));
  return prefix;
}

std::string metrics_rows(const RunResult& result) {
  std::string rows;
  for (std::size_t row = 0; row < result.metrics.size(); ++row) {
    rows += fmt::format("{},{}", result.id, result.logged_iterations[row]);
    for (double value : result.metrics[row]) add_field(rows, number(value));
    rows += '\n';
  }
  return rows;
}

double success_of(const RunSpec& run, RunStatus status, double final_error) {
  if (!(run.settings.success_below > 0) || status == RunStatus::failed) return std::nan("");
  const bool counts = status == RunStatus::converged || status == RunStatus::budget;
  return counts && final_error <= run.settings.success_below ? 1.0 : 0.0;
}

/// summary.csv's factorization: `symmetric` (uu) and `asymmetric` (uv), as
/// before the factorization kind; another one by its name (its parameters,
/// when swept, have their own columns).
static std::string factorization_column(const MethodSpec& method) {
  if (method.factorization.name == "uu") return "symmetric";
  if (method.factorization.name == "uv") return "asymmetric";
  return csv_field(method.factorization.name);
}

std::string summary_header(const Experiment& experiment) {
  std::string header = "run_id,method,init,optimizer,loss,factorization,width";
  for (const auto& axis : experiment.axes) add_field(header, csv_field(axis));
  header += ",seed";
  for (const auto& column : final_columns(experiment)) add_field(header, "final_" + column);
  add_field(header, "best_" + experiment.error);
  add_field(header, "best_" + experiment.error + "_iteration");
  add_field(header, "convergence_iteration");
  if (experiment.validation) {
    add_field(header, "chosen_iteration");
    add_field(header, "chosen_" + experiment.error);
  }
  if (experiment.success_column) add_field(header, "success");
  for (const auto& column : experiment.summary_columns) add_field(header, csv_field(column));
  return header + ",iterations,status,message\n";
}

std::string summary_row(const Experiment& experiment, const RunSpec& run, const RunResult& result) {
  std::string row = fmt::format("{},{},{},{},{},{},{}", run.id, csv_field(run.method.label), run.method.initializer.name,
                                run.method.optimizer.name, run.method.loss.name,
                                factorization_column(run.method), run.method.width);
  for (const auto& axis : experiment.axes) add_field(row, csv_field(value_of(run, axis)));
  add_field(row, std::to_string(run.seed));
  for (const auto& column : final_columns(experiment)) {
    const int index = experiment.column(column);
    add_field(row, number(result.metrics.empty() || !result.counts()
                              ? std::nan("")
                              : result.metrics.back()[static_cast<std::size_t>(index)]));
  }
  add_field(row, number(result.best_error));
  add_field(row, reached(result.best_error_iteration));
  add_field(row, reached(result.convergence_iteration));
  if (experiment.validation) {
    add_field(row, reached(result.chosen_iteration));
    add_field(row, number(result.chosen_error));
  }
  if (experiment.success_column) add_field(row, number(success_of(run, result.status, result.final_error)));
  for (double value : result.summary) add_field(row, number(value));
  add_field(row, std::to_string(result.iterations));
  add_field(row, to_string(result.status));
  add_field(row, csv_field(result.message));
  return row;
}

void write_configuration(const fs::path& directory, const Experiment& experiment) {
  write_atomically(directory / "config.resolved.yaml", resolved_configuration(experiment));
}

std::string resolved_configuration(const Experiment& experiment) {
  std::string text = "# Resolved from " + experiment.source;
  for (const auto& override : experiment.overrides) text += " " + override;
  text += fmt::format("\n# ncvx {}, every default written out.\n", NCVX_VERSION_STRING);
  return text + experiment.resolved.to_yaml();
}

nlohmann::json plugins_json(const PluginRegistry& plugins) {
  nlohmann::json used = nlohmann::json::array();
  for (const LoadedPlugin* plugin : plugins.plugins())
    used.push_back({{"kind", to_string(plugin->info().kind)},
                    {"name", plugin->info().name},
                    {"version", plugin->info().version},
                    {"file", plugin->file().string()},
                    {"abi", abi_json(plugin->abi())}});
  return used;
}

void write_meta(const fs::path& directory, const Experiment& experiment, const PluginRegistry& plugins,
                const RunContext& context) {
  nlohmann::json meta;
  meta["ncvx_version"] = NCVX_VERSION_STRING;
  meta["git_commit"] = kGitCommit;
  meta["experiment"] = experiment.name;
  meta["config"] = experiment.source;
  meta["overrides"] = experiment.overrides;
  meta["command_line"] = context.command_line;
  if (experiment.seeds.is_listed())
    meta["seeds"] = experiment.seeds.values();
  else
    meta["seeds"] = {{"first", experiment.seeds.first()}, {"count", experiment.seeds.size()}};
  meta["runs"] = experiment.run_count();
  meta["state"] = context.finished ? "finished" : "running";
  meta["threads"] = context.threads;
  meta["wall_seconds"] = context.wall_seconds;
  meta["host"] = {{"name", host_name()}, {"hardware_threads", std::thread::hardware_concurrency()}};
  meta[context.finished ? "finished_utc" : "started_utc"] = utc_now();
  meta["random_streams"] =
      "state0 = splitmix64(seed XOR fnv1a64(component)), std::mt19937_64; components: "
      "ground_truth, measurement, noise, corruption.<i>, init";
  meta["error"] = experiment.error;
  meta["host_abi"] = abi_json(AbiRecord::of_host());
  meta["plugins"] = plugins_json(plugins);
  // The methods run on a device: backend, precision and the device itself.
  nlohmann::json devices = nlohmann::json::array();
  std::set<std::string> recorded;
  std::string why;
  const DeviceBackend* backend = nullptr;
  for (const auto& point : experiment.points)
    for (const auto& method : point.methods)
      if (method.spec.on_device() && recorded.insert(method.spec.label).second) {
        if (!backend && why.empty()) backend = device_backend(why);
        devices.push_back({{"method", method.spec.label},
                           {"backend", method.spec.backend},
                           {"precision", method.spec.precision},
                           {"device", backend ? backend->device() : why}});
      }
  if (!devices.empty()) meta["devices"] = devices;
  write_atomically(directory / "meta.json", meta.dump(2) + "\n");
}

void write_results(const fs::path& directory, const Experiment& experiment, const ExperimentResults& all,
                   const PluginRegistry& plugins, const RunContext& context) {
  prepare_results_folder(directory);
  write_configuration(directory, experiment);
  const fs::path journal = directory / kJournalFile;
  fs::remove(journal);
  {
    JournalWriter writer(journal);
    for (const auto& result : all.runs)
      writer.append(make_record(experiment, experiment.run(static_cast<std::size_t>(result.id)), result));
  }
  assemble_results(directory, experiment, {index_journal(journal)});
  RunContext finished = context;
  finished.finished = true;
  write_meta(directory, experiment, plugins, finished);
}

std::string comparison_table(const Experiment& experiment, const ExperimentResults& all) {
  std::vector<TableEntry> entries;
  for (const auto& result : all.runs)
    entries.push_back({result.id, result.status, result.final_error, result.best_error, result.final_train_loss,
                       result.iterations, result.wall_seconds});
  return comparison_table(experiment, entries);
}

namespace {

/// A row of the comparison table: a method at one point of the sweep, and its runs.
struct TableRow {
  std::string method;
  std::vector<std::string> values;
  std::vector<const TableEntry*> runs;
};

/// One row per method and swept values, in run order.
std::vector<TableRow> table_rows(const Experiment& experiment, const std::vector<TableEntry>& results) {
  std::vector<TableRow> rows;
  std::map<std::pair<std::string, std::vector<std::string>>, std::size_t> row_of;
  for (const auto& result : results) {
    const RunSpec run = experiment.run(static_cast<std::size_t>(result.id));
    std::vector<std::string> values;
    for (const auto& axis : experiment.axes) values.push_back(value_of(run, axis));
    const auto [position, added] = row_of.try_emplace({run.method.label, values}, rows.size());
    if (added) rows.push_back({run.method.label, values, {}});
    rows[position->second].runs.push_back(&result);
  }
  return rows;
}

std::vector<std::string> table_header(const Experiment& experiment) {
  std::vector<std::string> header = {"method"};
  for (const auto& axis : experiment.axes) header.push_back(axis);
  header.emplace_back("seeds");
  header.push_back("final " + experiment.error);
  header.push_back("best " + experiment.error);
  if (experiment.error != "train_loss") header.emplace_back("final train_loss");
  if (experiment.success_column) header.emplace_back("success");
  for (const char* column : {"iterations", "seconds", "status"}) header.emplace_back(column);
  return header;
}

/// A row's cells: each column's median and spread over the runs that count
/// (converged or budget; failed and diverged runs are only counted in the
/// status column), iterations and seconds as medians.
std::vector<std::string> row_line(const Experiment& experiment, const TableRow& row) {
  std::vector<double> final_error, best_error, train, iterations, seconds;
  std::map<std::string, int> statuses;
  int successes = 0, judged = 0;
  for (const TableEntry* result : row.runs) {
    ++statuses[to_string(result->status)];
    const double success =
        success_of(experiment.run(static_cast<std::size_t>(result->id)), result->status, result->final_error);
    if (!std::isnan(success)) {
      ++judged;
      successes += success > 0 ? 1 : 0;
    }
    if (!result->counts()) continue;
    final_error.push_back(result->final_error);
    best_error.push_back(result->best_error);
    train.push_back(result->final_train_loss);
    iterations.push_back(static_cast<double>(result->iterations));
    seconds.push_back(result->seconds);
  }
  using detail::shown;
  const detail::TableStyle style = detail::table_style(experiment.table);
  std::vector<std::string> line = {row.method};
  line.insert(line.end(), row.values.begin(), row.values.end());
  line.push_back(std::to_string(row.runs.size()));
  line.push_back(detail::spread_cell(final_error, style));
  line.push_back(detail::spread_cell(best_error, style));
  if (experiment.error != "train_loss") line.push_back(detail::spread_cell(train, style));
  if (experiment.success_column) line.push_back(detail::success_cell(successes, judged));
  line.push_back(shown(median(iterations), "{:.0f}"));
  line.push_back(shown(median(seconds), "{:.3f}"));
  line.push_back(detail::status_counts(statuses, row.runs.size()));
  return line;
}

}  // namespace

std::string comparison_table(const Experiment& experiment, const std::vector<TableEntry>& results) {
  std::vector<std::vector<std::string>> cells;
  for (const TableRow& row : table_rows(experiment, results)) cells.push_back(row_line(experiment, row));
  std::string table = detail::render_table(table_header(experiment), cells);
  const detail::TableStyle style = detail::table_style(experiment.table);
  table += fmt::format("({} over the seeds that converged or used their budget{}; iterations and seconds: medians; "
                       "failed and diverged runs only count in the status)\n",
                       detail::spread_legend(style),
                       experiment.success_column ? "; success: successes/runs [95 % Wilson interval]" : "");
  return table;
}

}  // namespace ncvx
