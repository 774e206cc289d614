"""A producer written for confluent_kafka.Producer, in the style of its documentation.

Run it against confluent-kafka, then against kprod by changing only the import line:
    python confluent_style.py BOOTSTRAP TOPIC COUNT
It prints how many records were delivered and exits with 1 if any failed.
"""

import socket
import sys
from typing import Any, Optional

from confluent_kafka import KafkaError, Producer

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])

conf = {
    "bootstrap.servers": bootstrap,
    "client.id": socket.gethostname(),
    "queue.buffering.max.ms": 5,
    "message.timeout.ms": 30000,
    "enable.idempotence": True,
    "acks": "all",
}
producer = Producer(conf)
delivered = 0
failed = 0


def acked(err: Optional[KafkaError], msg: Any) -> None:
    global delivered, failed
    if err is not None:
        failed += 1
        print(f"Failed to deliver message: {msg.key()!r}: {err.str()}", file=sys.stderr)
    else:
        delivered += 1


for i in range(count):
    key = f"user-{i % 100}"
    while True:
        try:
            producer.produce(
                topic,
                key=key,
                value=f"event {i}",
                headers=[("origin", b"confluent-style")],
                callback=acked,
            )
            break
        except BufferError:
            producer.poll(1)  # the local queue is full: serve reports, then retry
    producer.poll(0)

remaining = producer.flush(30)
print(f"delivered {delivered} of {count}, failed {failed}, remaining {remaining}, queue {len(producer)}")
sys.exit(1 if failed or remaining else 0)
