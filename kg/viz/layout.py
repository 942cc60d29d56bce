"""Where each node of a view goes: papers grouped around the shared nodes they use, never a hairball.

A graph of papers has two kinds of node. *Shared* nodes (hardware, countries,
years, organizations, models reported by several papers) are what papers
have in common; everything else belongs to one paper: the paper, its runs,
a model only it reports. :func:`ring_layout` places the shared nodes first,
on rings with the most shared in the middle, then each paper's group in an
orbit around the shared node it is most specific to (its rarest), so papers
never pile up on the hubs and every position is known before the browser
draws (no physics). The aggregated view, which has no papers, keeps the
force-directed :func:`spring_layout` (or a spiral when it is large).

Positions are in screen pixels at zoom 1.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict

#: classes that always belong to one paper
LOCAL_CLASSES = ("Paper", "TrainingRun")
#: pixels between the members of one paper's group, and between groups in an orbit
MEMBER_GAP = 46.0
GROUP_GAP = 120.0
#: pixels kept free around a shared node that anchors no group
SHARED_ROOM = 70.0
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))

Point = tuple[float, float]


def spring_layout(nodes: list[str], edges: list[tuple[str, str]], seed: int = 7) -> dict[str, tuple[float, float]]:
    """Fruchterman–Reingold in plain Python with a fixed seed (small graphs only)."""
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    rng = random.Random(seed)
    index = {node: i for i, node in enumerate(nodes)}
    xs = [rng.uniform(-1, 1) for _ in range(n)]
    ys = [rng.uniform(-1, 1) for _ in range(n)]
    pairs = [(index[a], index[b]) for a, b in edges if a in index and b in index and a != b]
    k = math.sqrt(4.0 / n)
    k2 = k * k
    iterations = max(30, min(150, int(1_200_000 / (n * n / 2 + len(pairs) + 1))))
    temperature = 0.2
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        dx = [0.0] * n
        dy = [0.0] * n
        for i in range(n):
            xi, yi = xs[i], ys[i]
            for j in range(i + 1, n):
                ddx, ddy = xi - xs[j], yi - ys[j]
                d2 = ddx * ddx + ddy * ddy or 1e-9
                force = k2 / d2
                dx[i] += ddx * force
                dy[i] += ddy * force
                dx[j] -= ddx * force
                dy[j] -= ddy * force
        for a, b in pairs:
            ddx, ddy = xs[a] - xs[b], ys[a] - ys[b]
            d = math.sqrt(ddx * ddx + ddy * ddy) or 1e-9
            pull = d / k
            dx[a] -= ddx * pull
            dy[a] -= ddy * pull
            dx[b] += ddx * pull
            dy[b] += ddy * pull
        for i in range(n):
            dx[i] -= xs[i] * k * 0.7
            dy[i] -= ys[i] * k * 0.7
            length = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]) or 1e-9
            step = min(length, temperature)
            xs[i] += dx[i] / length * step
            ys[i] += dy[i] / length * step
        temperature -= cooling
    return {node: (xs[i], ys[i]) for node, i in index.items()}


def spiral_layout(nodes: list[str]) -> dict[str, tuple[float, float]]:
    """Golden-angle spiral in the given order: hubs first, near the centre."""
    golden = math.pi * (3 - math.sqrt(5))
    scale = 1.0 / math.sqrt(max(len(nodes), 1))
    return {
        node: (scale * math.sqrt(i + 0.5) * math.cos(i * golden), scale * math.sqrt(i + 0.5) * math.sin(i * golden))
        for i, node in enumerate(nodes)
    }


def paper_groups(classes: dict[str, str], edges: list[tuple[str, str]]) -> tuple[list[list[str]], list[str]]:
    """Each paper's group of nodes, and the shared nodes.

    A group is a set of papers and runs joined by edges, with every node all
    of whose neighbours lie in that one group (a model only that paper
    reports). What is left is shared.
    """
    neighbours: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        if a != b and a in classes and b in classes:
            neighbours[a].add(b)
            neighbours[b].add(a)
    group_of: dict[str, int] = {}
    groups: list[list[str]] = []
    for start in sorted(classes):
        if classes[start] not in LOCAL_CLASSES or start in group_of:
            continue
        members, stack = [], [start]
        group_of[start] = len(groups)
        while stack:
            node = stack.pop()
            members.append(node)
            for other in sorted(neighbours[node]):
                if classes[other] in LOCAL_CLASSES and other not in group_of:
                    group_of[other] = len(groups)
                    stack.append(other)
        groups.append(members)
    shared = []
    for node in sorted(classes):
        if node in group_of:
            continue
        owners = {group_of.get(other, -1) for other in neighbours[node]}
        if len(owners) == 1 and -1 not in owners:
            groups[owners.pop()].append(node)
        else:
            shared.append(node)
    return groups, shared


def _orbit(anchor: Point, count: int, facing: float) -> list[Point]:
    """*count* slots around *anchor*, the first facing away from the centre, at least GROUP_GAP apart."""
    radius = max(GROUP_GAP, count * GROUP_GAP / (2 * math.pi))
    return [
        (
            anchor[0] + radius * math.cos(facing + 2 * math.pi * i / count),
            anchor[1] + radius * math.sin(facing + 2 * math.pi * i / count),
        )
        for i in range(count)
    ]


def _room(anchored: int) -> float:
    """The radius a shared node needs: its orbit of groups and their members."""
    if not anchored:
        return SHARED_ROOM
    return max(GROUP_GAP, anchored * GROUP_GAP / (2 * math.pi)) + MEMBER_GAP * 1.5


def _rings(order: list[str], room: dict[str, float]) -> dict[str, Point]:
    """The nodes in *order* on concentric rings, each taking an arc as wide as its room."""
    positions: dict[str, Point] = {}
    radius, used, widest, turn = 0.0, 0.0, 0.0, 0.0
    ring: list[str] = []

    def close(ring: list[str], radius: float, turn: float) -> None:
        angle = turn
        total = sum(2 * room[n] for n in ring)
        for node in ring:
            share = 2 * math.pi * (2 * room[node]) / total if total else 0.0
            angle += share / 2
            positions[node] = (radius * math.cos(angle), radius * math.sin(angle)) if radius else (0.0, 0.0)
            angle += share / 2

    for node in order:
        need = 2 * room[node]
        if ring and (radius == 0.0 or used + need > 2 * math.pi * radius):
            close(ring, radius, turn)
            radius += widest + max(room[node], SHARED_ROOM)
            ring, used, widest, turn = [], 0.0, 0.0, turn + GOLDEN_ANGLE
        ring.append(node)
        used += need
        widest = max(widest, room[node])
    if ring:
        close(ring, radius, turn)
    return positions


def ring_layout(
    classes: dict[str, str], edges: list[tuple[str, str]], rank: dict[str, int] | None = None
) -> dict[str, Point]:
    """Shared nodes on rings (most shared innermost), each paper's group in an orbit round its rarest shared node."""
    rank = rank or {}
    groups, shared = paper_groups(classes, edges)
    index = {node: i for i, members in enumerate(groups) for node in members}
    groups_at: dict[str, set[int]] = defaultdict(set)
    for a, b in edges:
        for one, other in ((a, b), (b, a)):
            if one in index and other in classes and other not in index:
                groups_at[other].add(index[one])
    anchored: dict[str, list[int]] = defaultdict(list)
    loose: list[int] = []
    for i in range(len(groups)):
        touching = [node for node in shared if i in groups_at[node]]
        if touching:
            rarest = min(touching, key=lambda node: (len(groups_at[node]), rank.get(classes[node], 99), node))
            anchored[rarest].append(i)
        else:
            loose.append(i)
    # groups that touch nothing shared take an orbit of their own, after the shared nodes
    holders = [f"\0loose{i}" for i in range(math.ceil(len(loose) / 8))]
    for n, i in enumerate(loose):
        anchored[holders[n // 8]].append(i)
    order = sorted(shared, key=lambda node: (-len(groups_at[node]), rank.get(classes[node], 99), node)) + holders
    room = {node: _room(len(anchored[node])) for node in order}
    centres = _rings(order, room)
    positions = {node: centres[node] for node in shared}
    for node in order:
        members_of = anchored[node]
        if not members_of:
            continue
        x, y = centres[node]
        facing = math.atan2(y, x) if (x, y) != (0.0, 0.0) else 0.0
        for slot, i in zip(_orbit((x, y), len(members_of), facing), members_of):
            positions.update(_group(groups[i], classes, rank, slot))
    return positions


def _group(members: list[str], classes: dict[str, str], rank: dict[str, int], centre: Point) -> dict[str, Point]:
    """One paper's group: its paper in the middle, runs and their models round it."""
    order = sorted(
        members,
        key=lambda node: (
            LOCAL_CLASSES.index(classes[node]) if classes[node] in LOCAL_CLASSES else 2,
            rank.get(classes[node], 99),
            node,
        ),
    )
    ring = order[1:]
    radius = MEMBER_GAP * max(1.0, len(ring) / (2 * math.pi))
    placed = {order[0]: centre}
    for i, node in enumerate(ring):
        angle = 2 * math.pi * i / len(ring) - math.pi / 2
        placed[node] = (centre[0] + radius * math.cos(angle), centre[1] + radius * math.sin(angle))
    return placed
