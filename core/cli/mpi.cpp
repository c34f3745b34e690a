#include "mpi.hpp"

#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>

#ifdef NCVX_WITH_MPI
#include <mpi.h>
#endif

#include "ncvx/errors.hpp"

namespace ncvx::cli {

namespace {
// Messages: a worker sends RESULT (its finished records; empty when it starts),
// rank 0 answers WORK (run ids, comma-separated) or STOP.
constexpr int kResult = 1, kWork = 2, kStop = 3;
}  // namespace

bool mpi_launched() {
#ifdef NCVX_WITH_MPI
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"})
    if (const char* value = std::getenv(variable); value && std::atoi(value) > 1) return true;
#endif
  return false;
}

#ifdef NCVX_WITH_MPI

namespace {

void send_text(const std::string& text, int destination, int tag) {
  MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, destination, tag, MPI_COMM_WORLD);
}

/// Receives the next message from `source` (MPI_ANY_SOURCE: anyone): its text, tag and sender.
std::string receive_text(int source, int& tag, int& sender) {
  MPI_Status status;
  MPI_Probe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
  int count = 0;
  MPI_Get_count(&status, MPI_CHAR, &count);
  std::string text(static_cast<std::size_t>(count), '\0');
  MPI_Recv(text.data(), count, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  tag = status.MPI_TAG;
  sender = status.MPI_SOURCE;
  return text;
}

class Coordinator final : public GroupExecutor {
 public:
  explicit Coordinator(const MpiSession& session) : session_(session) {}

  void run(const std::vector<std::vector<std::size_t>>& groups, const std::function<void(const JournalRecord&)>& finished,
           const std::function<void(long)>& running) override {
    std::size_t next = 0;
    int active = session_.size() - 1;
    std::vector<long> in_flight(static_cast<std::size_t>(session_.size()), 0);
    while (active > 0) {
      int tag = 0, sender = 0;
      const std::string records = receive_text(MPI_ANY_SOURCE, tag, sender);
      if (tag != kResult) throw Error(fmt::format("MPI: unexpected message {} from rank {}", tag, sender));
      if (!records.empty())
        for (const auto& record : parse_records(records, fmt::format("the records of rank {}", sender)))
          finished(record);
      running(-in_flight[static_cast<std::size_t>(sender)]);
      in_flight[static_cast<std::size_t>(sender)] = 0;
      if (next < groups.size()) {
        std::string ids;
        for (std::size_t id : groups[next]) {
          if (!ids.empty()) ids += ',';
          ids += std::to_string(id);
        }
        in_flight[static_cast<std::size_t>(sender)] = static_cast<long>(groups[next].size());
        running(in_flight[static_cast<std::size_t>(sender)]);
        send_text(ids, sender, kWork);
        ++next;
      } else {
        send_text("", sender, kStop);
        --active;
      }
    }
  }

 private:
  const MpiSession& session_;
};

}  // namespace

MpiSession::MpiSession(int& argc, char**& argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() { MPI_Finalize(); }

std::unique_ptr<GroupExecutor> mpi_coordinator(const MpiSession& session) {
  return std::make_unique<Coordinator>(session);
}

void mpi_worker(const MpiSession& session, const Experiment& experiment, const PluginRegistry& plugins,
                unsigned threads, unsigned lockstep) {
  std::string records;  // empty: ready for work
  const std::string worker = fmt::format("rank {}", session.rank());
  while (true) {
    send_text(records, 0, kResult);
    int tag = 0, sender = 0;
    const std::string ids_text = receive_text(0, tag, sender);
    if (tag == kStop) return;
    std::vector<std::size_t> ids;
    for (std::size_t at = 0; at < ids_text.size();) {
      const auto comma = ids_text.find(',', at);
      ids.push_back(std::stoul(ids_text.substr(at, comma - at)));
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
    records = run_group_records(experiment, plugins, ids, threads, lockstep, worker);
  }
}

#else

MpiSession::MpiSession(int&, char**&) {}
MpiSession::~MpiSession() = default;
std::unique_ptr<GroupExecutor> mpi_coordinator(const MpiSession&) {
  throw Error("this ncvx was built without MPI (install libopenmpi-dev and rebuild)");
}
void mpi_worker(const MpiSession&, const Experiment&, const PluginRegistry&, unsigned, unsigned) {
  throw Error("this ncvx was built without MPI (install libopenmpi-dev and rebuild)");
}

#endif

}  // namespace ncvx::cli
