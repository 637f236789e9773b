package dev.braid.pinning;
