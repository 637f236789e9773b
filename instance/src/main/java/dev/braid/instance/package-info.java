package dev.braid.instance;
