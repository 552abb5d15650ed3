"""Licensing: licenses held by orgs, pools, seat consumption, quotas, usage history.

A *pool* is (holder org, SKU); its quantity is the sum of the holder's active
licenses of that SKU in term. An org consumes from the pool of its *license
source*: its own (standard orgs, reseller sub-orgs by default) or its
partner's (MSP sub-orgs by default). The pool row is the aggregate that guards
"use never exceeds quantity": every change locks it first.
"""
