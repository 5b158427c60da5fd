#!/usr/bin/env python3
"""paho-mqtt side of the interop tests and the MQTT benchmark (python3-paho-mqtt 1.6).

  paho_tool.py publish HOST PORT TOPIC FILE [--qos N] [--retain]   publish FILE's bytes once
  paho_tool.py receive HOST PORT TOPIC OUTFILE                     print READY after SUBACK, write 1st payload
  paho_tool.py bench HOST PORT TOPIC COUNT SIZE QOS                throughput; prints "MSGS_PER_S <n>"
  paho_tool.py latency HOST PORT TOPIC COUNT SIZE QOS RATE         paced pub->sub; prints "P50_US <n> P99_US <n>"
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
    if qos == 0:
        # QoS 0 has no acknowledgement: a QoS 1 "fence" after the batch is acknowledged only once the broker has
        # read everything before it on this connection (same method as the .NET harness).
        last = client.publish(topic, b"fence", qos=1)
    last.wait_for_publish()
    elapsed = time.perf_counter() - start
    print("MSGS_PER_S %.0f" % (count / elapsed), flush=True)
    client.disconnect()
    client.loop_stop()


def latency(host, port, topic, count, size, qos, rate):
    count, size, qos, rate = int(count), int(size), int(qos), float(rate)
    samples = []
    done = threading.Event()
    subscribed = threading.Event()

    def on_message(client, userdata, msg):
        sent = float(msg.payload[:20].decode())
        samples.append((time.perf_counter() - sent) * 1e6)
        if len(samples) == count:
            done.set()

    sub = connect(host, port, "paho-lat-sub")
    sub.on_message = on_message
    sub.on_subscribe = lambda *a: subscribed.set()
    sub.subscribe(topic, qos=qos)
    sub.loop_start()
    subscribed.wait(10)
    pub = connect(host, port, "paho-lat-pub")
    pub.loop_start()
    start = time.perf_counter()
    for i in range(count):
        target = start + i / rate
        while time.perf_counter() < target:
            pass
        stamp = ("%.9f" % time.perf_counter()).rjust(20).encode()
        pub.publish(topic, stamp + b"x" * (size - 20), qos=qos)
    done.wait(60)
    samples.sort()
    p = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]
    print("P50_US %.0f P99_US %.0f RECEIVED %d" % (p(0.50), p(0.99), len(samples)), flush=True)
    pub.disconnect(); sub.disconnect(); pub.loop_stop(); sub.loop_stop()


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "publish":
        qos = int(args[args.index("--qos") + 1]) if "--qos" in args else 1
        publish(args[0], args[1], args[2], args[3], qos=qos, retain="--retain" in args)
    elif mode == "receive":
        receive(*args[:4])
    elif mode == "bench":
        bench(*args[:6])
    elif mode == "latency":
        latency(*args[:7])
    else:
        sys.exit("unknown mode " + mode)
