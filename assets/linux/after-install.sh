#!/bin/sh
# .deb post-install: the broker launcher and the polkit action that names it.
set -e
install -D -o root -g root -m 0755 /opt/Xenith/resources/linux/xenith-broker /usr/lib/xenith/xenith-broker
install -D -o root -g root -m 0644 /opt/Xenith/resources/org.xenith.broker.policy /usr/share/polkit-1/actions/org.xenith.broker.policy
# The broker's policy: root's alone. Written once with the defaults spelled out; an existing one is kept.
if [ ! -e /etc/xenith/broker.conf ]; then
  install -d -o root -g root -m 0755 /etc/xenith
  install -o root -g root -m 0644 /opt/Xenith/resources/broker.conf /etc/xenith/broker.conf
fi
