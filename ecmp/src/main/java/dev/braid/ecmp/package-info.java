package dev.braid.ecmp;
