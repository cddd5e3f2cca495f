#include "booking/service/kafka.h"

#include <librdkafka/rdkafka_mock.h>

#include <array>

#include "shared/thread_name.h"

namespace boxoffice::kafka {
namespace {

constexpr size_t kErrBytes = 512;

Result<rd_kafka_conf_t*, std::string> make_conf(const Settings& settings) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::array<char, kErrBytes> err{};
  for (const auto& [key, value] : settings) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err.data(), err.size()) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return unexpected(std::string(err.data()));
    }
  }
  return conf;
}

Result<HandlePtr, std::string> make_handle(rd_kafka_type_t type, rd_kafka_conf_t* conf) {
  std::array<char, kErrBytes> err{};
  rd_kafka_t* rk = rd_kafka_new(type, conf, err.data(), err.size());
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);  // rd_kafka_new takes ownership only on success
    return unexpected(std::string(err.data()));
  }
  return HandlePtr(rk);
}

}  // namespace

void Deleter::operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }

Result<std::unique_ptr<MockCluster>, std::string> MockCluster::start(int brokers) {
  auto conf = make_conf({{"log_level", "3"}});
  if (!conf) return unexpected(conf.error());
  auto owner = make_handle(RD_KAFKA_PRODUCER, *conf);
  if (!owner) return unexpected("mock cluster: " + owner.error());
  std::unique_ptr<MockCluster> mc(new MockCluster());
  mc->owner_ = std::move(*owner);
  mc->cluster_ = rd_kafka_mock_cluster_new(mc->owner_.get(), brokers);
  if (mc->cluster_ == nullptr) return unexpected(std::string("mock cluster: cannot start"));
  mc->bootstrap_ = rd_kafka_mock_cluster_bootstraps(mc->cluster_);
  return mc;
}

MockCluster::~MockCluster() {
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
}

Result<bool, std::string> MockCluster::create_topic(const std::string& name, int partitions) {
  const rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return unexpected("create topic " + name + ": " + rd_kafka_err2str(err));
  }
  return true;
}

Settings producer_defaults(const std::string& bootstrap, Batching batching) {
  // One produce request in flight per connection: what arrives meanwhile becomes the next
  // batch, so batches grow with the load while a quiet producer still sends at once. It also
  // keeps delivery reports in produce order, which the worker's snapshots count on.
  return {{"bootstrap.servers", bootstrap},
          {"partitioner", "murmur2_random"},
          {"acks", "all"},
          {"enable.idempotence", "true"},
          {"max.in.flight.requests.per.connection", "1"},
          {"linger.ms", batching == Batching::kInteractive ? "2" : "100"},
          {"batch.num.messages", "10000"},
          {"queue.buffering.max.messages", "1000000"},
          {"log_level", "3"}};
}

Settings consumer_defaults(const std::string& bootstrap, std::chrono::milliseconds fetch_wait) {
  return {{"bootstrap.servers", bootstrap},
          {"enable.auto.commit", "false"},
          {"enable.auto.offset.store", "false"},
          {"auto.offset.reset", "earliest"},
          {"fetch.wait.max.ms", std::to_string(fetch_wait.count())},
          {"fetch.error.backoff.ms", "50"},
          {"enable.partition.eof", "false"},
          {"log_level", "3"}};
}

Settings group_member_defaults(const std::string& bootstrap, const std::string& group,
                               std::chrono::milliseconds session_timeout,
                               std::chrono::milliseconds fetch_wait) {
  Settings settings = consumer_defaults(bootstrap, fetch_wait);
  settings.insert(settings.end(), {{"group.id", group},
                                   {"session.timeout.ms", std::to_string(session_timeout.count())},
                                   {"heartbeat.interval.ms", "1000"},
                                   {"partition.assignment.strategy", "range"}});
  return settings;
}

// ---- Producer

Result<std::unique_ptr<Producer>, std::string> Producer::create(const Settings& settings) {
  auto conf = make_conf(settings);
  if (!conf) return unexpected(conf.error());
  std::unique_ptr<Producer> p(new Producer());
  rd_kafka_conf_set_dr_msg_cb(*conf, &Producer::on_delivery);
  rd_kafka_conf_set_opaque(*conf, p.get());
  auto rk = make_handle(RD_KAFKA_PRODUCER, *conf);
  if (!rk) return unexpected("producer: " + rk.error());
  p->rk_ = std::move(*rk);
  // Delivery reports are served by poll(); a thread of its own keeps callers free of it.
  p->poller_ = std::thread([raw = p.get()] {
    name_this_thread("kafka-delivery");
    while (!raw->stop_.load(std::memory_order_relaxed)) rd_kafka_poll(raw->rk_.get(), 50);
  });
  return p;
}

Producer::~Producer() {
  if (rk_) rd_kafka_flush(rk_.get(), 10'000);
  stop_ = true;
  if (poller_.joinable()) poller_.join();
  if (rk_) rd_kafka_poll(rk_.get(), 0);  // deliver the last reports before the handle dies
}

void Producer::on_delivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* m, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  const bool ok = m->err == RD_KAFKA_RESP_ERR_NO_ERROR;
  if (!ok) self->failures_.fetch_add(1);
  std::unique_ptr<Delivered> delivered(static_cast<Delivered*>(m->_private));
  if (delivered && *delivered) (*delivered)(ok, ok ? "" : rd_kafka_err2str(m->err));
}

bool Producer::produce(const std::string& topic, int32_t partition, std::string_view key,
                       std::string_view value, Delivered delivered) {
  auto opaque = delivered ? std::make_unique<Delivered>(std::move(delivered)) : nullptr;
  std::array<rd_kafka_vu_t, 6> args{};
  args[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  args[0].u.cstr = topic.c_str();
  args[1].vtype = RD_KAFKA_VTYPE_PARTITION;
  args[1].u.i32 = partition;
  args[2].vtype = RD_KAFKA_VTYPE_KEY;
  args[2].u.mem = {const_cast<char*>(key.data()), key.size()};  // NOLINT: copied (F_COPY)
  args[3].vtype = RD_KAFKA_VTYPE_VALUE;
  args[3].u.mem = {const_cast<char*>(value.data()), value.size()};  // NOLINT: copied (F_COPY)
  args[4].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  args[4].u.i = RD_KAFKA_MSG_F_COPY;
  args[5].vtype = RD_KAFKA_VTYPE_OPAQUE;
  args[5].u.ptr = opaque.get();
  rd_kafka_error_t* error = rd_kafka_produceva(rk_.get(), args.data(), args.size());
  if (error != nullptr) {
    rd_kafka_error_destroy(error);
    return false;
  }
  opaque.release();  // NOLINT(bugprone-unused-return-value): owned by the delivery report now
  return true;
}

bool Producer::flush(std::chrono::milliseconds timeout) {
  return rd_kafka_flush(rk_.get(), static_cast<int>(timeout.count())) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

// ---- Consumer

std::vector<TopicPartition> to_vector(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = list->elems[i];
    out.push_back({tp.topic, tp.partition, tp.offset});
  }
  return out;
}

PartitionListPtr to_list(const std::vector<TopicPartition>& partitions) {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const TopicPartition& tp : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset =
        tp.offset;
  }
  return list;
}

void Consumer::on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                            rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* self = static_cast<Consumer*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    std::vector<TopicPartition> start = to_vector(partitions);
    if (self->rebalance_.on_assign) start = self->rebalance_.on_assign(start);
    rd_kafka_assign(rk, to_list(start).get());
  } else {
    if (self->rebalance_.on_revoke) self->rebalance_.on_revoke(to_vector(partitions));
    rd_kafka_assign(rk, nullptr);
  }
}

Result<std::unique_ptr<Consumer>, std::string> Consumer::subscribe(
    const Settings& settings, const std::vector<std::string>& topics, Rebalance rebalance) {
  auto conf = make_conf(settings);
  if (!conf) return unexpected(conf.error());
  std::unique_ptr<Consumer> c(new Consumer());
  c->rebalance_ = std::move(rebalance);
  rd_kafka_conf_set_rebalance_cb(*conf, &Consumer::on_rebalance);
  rd_kafka_conf_set_opaque(*conf, c.get());
  auto rk = make_handle(RD_KAFKA_CONSUMER, *conf);
  if (!rk) return unexpected("consumer: " + rk.error());
  c->rk_ = std::move(*rk);
  rd_kafka_poll_set_consumer(c->rk_.get());
  std::vector<TopicPartition> wanted;
  wanted.reserve(topics.size());
  for (const std::string& t : topics) wanted.push_back({t, RD_KAFKA_PARTITION_UA});
  const rd_kafka_resp_err_t err = rd_kafka_subscribe(c->rk_.get(), to_list(wanted).get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return unexpected(std::string("subscribe: ") + rd_kafka_err2str(err));
  }
  return c;
}

Result<std::unique_ptr<Consumer>, std::string> Consumer::assign(
    const Settings& settings, const std::vector<TopicPartition>& partitions) {
  Settings with_group = settings;
  // librdkafka wants a group id to create a consumer even when nothing is committed.
  with_group.emplace(with_group.begin(), "group.id", "boxoffice.unused");
  auto conf = make_conf(with_group);
  if (!conf) return unexpected(conf.error());
  std::unique_ptr<Consumer> c(new Consumer());
  auto rk = make_handle(RD_KAFKA_CONSUMER, *conf);
  if (!rk) return unexpected("consumer: " + rk.error());
  c->rk_ = std::move(*rk);
  rd_kafka_poll_set_consumer(c->rk_.get());
  const rd_kafka_resp_err_t err = rd_kafka_assign(c->rk_.get(), to_list(partitions).get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return unexpected(std::string("assign: ") + rd_kafka_err2str(err));
  }
  return c;
}

Consumer::~Consumer() {
  if (rk_) rd_kafka_consumer_close(rk_.get());
}

MessagePtr Consumer::poll(std::chrono::milliseconds timeout) {
  return MessagePtr(rd_kafka_consumer_poll(rk_.get(), static_cast<int>(timeout.count())));
}

void Consumer::commit(const std::string& topic, int32_t partition, int64_t next_offset) {
  rd_kafka_commit(rk_.get(), to_list({{topic, partition, next_offset}}).get(), 1);
}

Result<int, std::string> Consumer::partition_count(const std::string& topic) {
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk_.get(), topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk_.get(), 0, t, &md, 5000);
  rd_kafka_topic_destroy(t);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return unexpected("metadata of " + topic + ": " + rd_kafka_err2str(err));
  }
  int count = 0;
  std::string error;
  if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    count = md->topics[0].partition_cnt;
  } else {
    error = "metadata of " + topic + ": " +
            (md->topic_cnt == 1 ? rd_kafka_err2str(md->topics[0].err) : "no such topic");
  }
  rd_kafka_metadata_destroy(md);
  if (count == 0)
    return unexpected(error.empty() ? "topic " + topic + " has no partitions" : error);
  return count;
}

Result<int64_t, std::string> Consumer::high_watermark(const std::string& topic, int32_t partition) {
  int64_t low = 0, high = 0;
  const rd_kafka_resp_err_t err =
      rd_kafka_query_watermark_offsets(rk_.get(), topic.c_str(), partition, &low, &high, 5000);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return unexpected("watermarks of " + topic + ": " + rd_kafka_err2str(err));
  }
  return high;
}

std::optional<int64_t> Consumer::cached_high_watermark(const std::string& topic,
                                                       int32_t partition) {
  int64_t low = 0, high = 0;
  const rd_kafka_resp_err_t err =
      rd_kafka_get_watermark_offsets(rk_.get(), topic.c_str(), partition, &low, &high);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR || high < 0) return std::nullopt;
  return high;
}

}  // namespace boxoffice::kafka
