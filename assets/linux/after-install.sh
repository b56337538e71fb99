#!/bin/sh
# .deb post-install: the broker launcher and the polkit action that names it.
set -e
install -D -o root -g root -m 0755 /opt/Xenith/resources/linux/xenith-broker /usr/lib/xenith/xenith-broker
install -D -o root -g root -m 0644 /opt/Xenith/resources/org.xenith.broker.policy /usr/share/polkit-1/actions/org.xenith.broker.policy
