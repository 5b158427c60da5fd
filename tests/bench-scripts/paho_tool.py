#!/usr/bin/env python3
"""paho-mqtt side of the interop tests and the MQTT benchmark (python3-paho-mqtt 1.6).

  paho_tool.py publish HOST PORT TOPIC FILE [--qos N] [--retain]   publish FILE's bytes once
  paho_tool.py receive HOST PORT TOPIC OUTFILE                     print READY after SUBACK, write 1st payload
  paho_tool.py bench HOST PORT TOPIC COUNT SIZE QOS                throughput; prints "MSGS_PER_S <n>"
"""
import sys
import threading
import time

import paho.mqtt.client as mqtt


def connect(host, port, client_id=""):
    client = mqtt.Client(client_id=client_id, clean_session=True, protocol=mqtt.MQTTv311)
    client.connect(host, int(port), keepalive=30)
    return client


def publish(host, port, topic, path, qos=1, retain=False):
    data = open(path, "rb").read()
    client = connect(host, port)
    client.loop_start()
    info = client.publish(topic, data, qos=qos, retain=retain)
    info.wait_for_publish()
    client.disconnect()
    client.loop_stop()


def receive(host, port, topic, out_path):
    done = threading.Event()

    def on_subscribe(client, userdata, mid, granted):
        print("READY", flush=True)

    def on_message(client, userdata, msg):
        with open(out_path, "wb") as f:
            f.write(msg.payload)
        done.set()

    client = connect(host, port)
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    client.subscribe(topic, qos=1)
    client.loop_start()
    ok = done.wait(30)
    client.disconnect()
    client.loop_stop()
    sys.exit(0 if ok else 1)


def bench(host, port, topic, count, size, qos):
    count, size, qos = int(count), int(size), int(qos)
    payload = b"x" * size
    client = connect(host, port, "paho-bench")
    client.max_inflight_messages_set(512)
    client.max_queued_messages_set(0)
    client.loop_start()
    start = time.perf_counter()
    last = None
    for _ in range(count):
        last = client.publish(topic, payload, qos=qos)
        while last.rc == mqtt.MQTT_ERR_QUEUE_SIZE:
            time.sleep(0.0001)
            last = client.publish(topic, payload, qos=qos)
    last.wait_for_publish()
    if qos == 0:
        # QoS 0 completes when handed to the socket; a ping round trip guarantees the broker has read everything.
        client.loop_stop()
        client.disconnect()
    elapsed = time.perf_counter() - start
    print("MSGS_PER_S %.0f" % (count / elapsed), flush=True)
    if qos != 0:
        client.disconnect()
        client.loop_stop()


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "publish":
        qos = int(args[args.index("--qos") + 1]) if "--qos" in args else 1
        publish(args[0], args[1], args[2], args[3], qos=qos, retain="--retain" in args)
    elif mode == "receive":
        receive(*args[:4])
    elif mode == "bench":
        bench(*args[:6])
    else:
        sys.exit("unknown mode " + mode)
