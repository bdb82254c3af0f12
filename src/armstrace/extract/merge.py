"""Fold a document's mentions into its events (SPEC section 4).

One event appears once per document however often it is mentioned. Items of
different categories whose status differs stay different events; stances
from every mention, and denials pointing back, are gathered on the event.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from armstrace.extract.actors import ItemHit
from armstrace.extract.document import DocumentReader, PointerStance
from armstrace.extract.normalize import normalize_quantity, normalize_time, normalize_value
from armstrace.extract.readers import Mention
from armstrace.model import EntityRef, Event, Evidence, Item, Stance
from armstrace.ontology import coarse_category, has_status, status_rank

# Unspecified items join whichever concrete family they appear beside.
WILDCARD_CATEGORIES = {"military_equipment", "components"}
# Event types that are a relation only when the recipient is known (after role completion).
NEEDS_RECIPIENT = {"transfer", "production", "training", "sanction"}
# Which event a denial pointing back ("Iran denied the claims") most likely means.
TYPE_PRIORITY = {"transfer": 0, "production": 1, "use": 2, "training": 3, "offer": 4, "sanction": 5}


@dataclass
class _Cluster:
    mentions: list[Mention] = field(default_factory=list)
    families: set[str] = field(default_factory=set)

    @property
    def status(self) -> str | None:
        best = None
        for m in self.mentions:
            if status_rank(m.status) > status_rank(best):
                best = m.status
        return best


def _families(m: Mention) -> set[str]:
    return {coarse_category(h.item.category) for h in m.items} - WILDCARD_CATEGORIES


def _cluster(mentions: list[Mention]) -> list[_Cluster]:
    clusters: list[_Cluster] = []
    wild: list[Mention] = []
    for m in mentions:
        fams = _families(m)
        if not fams:
            wild.append(m)
            continue
        target = next((c for c in clusters if c.families & fams), None)
        if target is None:
            target = _Cluster()
            clusters.append(target)
        target.mentions.append(m)
        target.families |= fams
    # Clusters of one status are one event: drones and missiles both delivered are one transfer.
    merged: list[_Cluster] = []
    for c in clusters:
        same = next((o for o in merged if o.status == c.status), None)
        if same is None:
            merged.append(c)
        else:
            same.mentions += c.mentions
            same.families |= c.families
    for m in wild:
        target = next((c for c in merged if c.status == m.status), None) or (
            max(merged, key=lambda c: len(c.mentions)) if merged else None
        )
        if target is None:
            target = _Cluster()
            merged.append(target)
        target.mentions.append(m)
    return merged


def _stance_key(s: Stance) -> tuple[str | None, str]:
    return (s.actor.id, s.polarity)


def _add_stance(event: Event, stance: Stance) -> None:
    for i, existing in enumerate(event.stance):
        if _stance_key(existing) == _stance_key(stance):
            # Keep one entry per actor and polarity, with the date and speaker any mention gives.
            if (existing.date is None and stance.date) or (existing.speaker is None and stance.speaker):
                event.stance[i] = Stance(actor=existing.actor, polarity=existing.polarity,
                                         speaker=existing.speaker or stance.speaker,
                                         date=existing.date or stance.date)
            return
    event.stance.append(stance)


def _to_stance(att, published: str | None) -> Stance:
    date = None
    if att.date_text:
        date = normalize_time(att.date_text, published).start
    return Stance(actor=att.actor, polarity=att.polarity, speaker=att.speaker, date=date)


def _evidence(m: Mention) -> Evidence:
    """The sentence and its offsets into the document text, without the line breaks around it."""
    offset = getattr(m, "offset", 0)
    text = m.sentence.text
    lead = len(text) - len(text.lstrip())
    body = text.strip()
    start = offset + m.sentence.start_char + lead
    return Evidence(sentence=body, start=start, end=start + len(body))


MISSILE_FAMILIES = {"ballistic_missile", "cruise_missile", "air_defense", "anti_tank_missile"}


def _loose_families(m: Mention) -> set[str]:
    """Families a mention may mean: a bare "the missile" can be any missile the article named."""
    fams = set(_families(m))
    for h in m.items:
        if h.item.system is None and h.token.lemma_.lower() == "missile" and not any(
                c.dep_ in ("amod", "compound") for c in h.token.lefts):
            fams |= MISSILE_FAMILIES
    return fams


def _makers_from_designations(mentions: list[Mention], systems: dict[str, tuple[str, str, str | None]],
                              name_of) -> None:  # noqa: ANN001 - KnowledgeView.name
    """'the missile, which the UAE and Iraq have also ordered': its maker is that of the designation
    the article named for this family, when there is one."""
    for m in mentions:
        if m.type != "transfer" or m.supplier is not None or m.recipient is None or _agentless_passive(m):
            continue  # "tanks were delivered to Ukraine" keeps its unnamed donor
        fams = _loose_families(m)
        origins = {origin for _name, cat, origin in systems.values()
                   if origin and coarse_category(cat) in fams and origin != m.recipient.id}
        if len(origins) == 1:
            origin = next(iter(origins))
            m.supplier = EntityRef(origin, name_of(origin))
            # ... and "the missile" is that designation.
            named = [(sid, name, cat) for sid, (name, cat, o) in systems.items()
                     if o == origin and coarse_category(cat) in fams]
            if len(named) == 1:
                sid, name, cat = named[0]
                m.items = [ItemHit(Item(cat, EntityRef(sid, name)), h.token, origin)
                           if h.item.system is None and h.token.lemma_.lower() == "missile" else h for h in m.items]


def _complete_roles(mentions: list[Mention]) -> None:
    """A role the sentence leaves out is taken from the document when only one party fits.

    "The drones had been delivered to Russia" after "Iran sent drones to Russia"
    names the supplier nearby (CONSTRUCTIONS 4); "Tehran admitted supplying them"
    after "Moscow denied using Iranian drones" names the recipient.
    """
    complete = [m for m in mentions if m.supplier is not None and m.recipient is not None]
    # Sanctions: "Guilin Alpha ... were also listed" after "the US Treasury put five companies on its list".
    imposers = {m.supplier.id: m.supplier for m in mentions if m.type == "sanction" and m.supplier is not None}
    for m in mentions:
        if m.type == "sanction" and m.supplier is None and len(imposers) == 1:
            m.supplier = next(iter(imposers.values()))
    for m in mentions:
        if m.type not in ("transfer", "production", "training") or (m.supplier is None) == (m.recipient is None):
            continue
        if m.trigger.tag_ == "VBG" and m.trigger.dep_ in ("pcomp", "pobj", "conj") and not any(
                c.dep_ == "nsubj" for c in m.trigger.children):
            continue  # 'sanctions for importing and exporting weaponry' names an activity, not a delivery
        fams = _families(m)
        if m.supplier is None:
            known = {c.supplier.id: c.supplier for c in complete if c.recipient.id == m.recipient.id
                     and c.type in (m.type, "transfer", "use") and (not fams or _families(c) & fams)}
            if len(known) == 1:
                m.supplier = next(iter(known.values()))
        else:
            known = {c.recipient.id: c.recipient for c in complete if c.supplier.id == m.supplier.id
                     and c.type in (m.type, "transfer", "use", "training", "production")
                     and (not fams or _families(c) & fams or c.type in ("training", "production"))}
            if not known and m.type == "transfer":
                # An article about one recipient: "France will send SCALPs to Ukraine ... after Britain's
                # delivery of the Storm Shadow".
                known = {c.recipient.id: c.recipient for c in complete if c.type == "transfer"
                         and c.supplier.id != m.supplier.id and (not fams or _families(c) & fams)}
            if len(known) == 1:
                m.recipient = next(iter(known.values()))


def _agentless_passive(m: Mention) -> bool:
    """'Hundreds of shells were shipped to Russia': a supply verb in the passive with no 'by'."""
    from armstrace.extract.syntax import agent_of, is_passive

    return m.trigger.pos_ == "VERB" and is_passive(m.trigger) and agent_of(m.trigger) is None and (
        m.recipient is not None)


def _complete_makers(mentions: list[Mention], family_origins: dict[str, EntityRef]) -> list[Mention]:
    """Use mentions whose maker the sentence did not say take it from the document, or are dropped."""
    kept: list[Mention] = []
    for m in mentions:
        if m.type == "use" and m.supplier is None:
            makers = {family_origins[f].id: family_origins[f] for f in _families(m) if f in family_origins}
            if len(makers) != 1:
                continue
            m.supplier = next(iter(makers.values()))
            if m.recipient is not None and m.supplier.id == m.recipient.id:
                continue
        kept.append(m)
    return kept


def merge_document(reader: DocumentReader, published: str | None) -> list[Event]:
    reader.mentions = _complete_makers(reader.mentions, reader.family_origins)
    reader.denials = _complete_makers(reader.denials, reader.family_origins)
    _complete_roles(reader.mentions + reader.denials)
    _makers_from_designations(reader.mentions, reader.systems, reader.kb.name)
    groups: dict[tuple, list[Mention]] = {}
    for m in reader.mentions:
        if m.type in NEEDS_RECIPIENT and m.recipient is None:
            continue  # "Iran exports drones": no second party, no relation to record
        if m.supplier is not None and m.recipient is not None and m.supplier.id == m.recipient.id:
            continue
        if m.type in ("sanction", "production", "training") and m.supplier is None:
            continue  # a licence, a factory or training from nobody in particular is no relation
        if m.type == "transfer" and m.supplier is None and not _agentless_passive(m):
            continue  # only "shells were shipped to Russia" leaves the supplier open (CONSTRUCTIONS 4)
        key = (m.type, m.supplier.id if m.supplier else None, m.recipient.id if m.recipient else None)
        groups.setdefault(key, []).append(m)
    events: list[Event] = []
    owners: list[tuple[Event, list[Mention]]] = []
    for (etype, _sup, _rec), mentions in groups.items():
        for cluster in _cluster(mentions):
            ms = sorted(cluster.mentions, key=lambda m: (getattr(m, "offset", 0), m.sentence.start_char))
            first = ms[0]
            items: list[Item] = []
            for m in ms:
                for it in m.item_list:
                    if it not in items:
                        items.append(it)
            # A designated item makes a bare one of the same family redundant ("Shahed-136" + "drones").
            named = {coarse_category(i.category) for i in items if i.system}
            items = [i for i in items if i.system or coarse_category(i.category) not in named]
            event = Event(
                type=etype,
                supplier=first.supplier,
                recipient=first.recipient,
                items=items,
                status=cluster.status if has_status(etype) else None,
            )
            for m in ms:
                ev = _evidence(m)
                if ev not in event.evidence:
                    event.evidence.append(ev)
                for att in m.stance:
                    _add_stance(event, _to_stance(att, published))
                if event.quantity is None and m.quantity_text:
                    event.quantity = normalize_quantity(m.quantity_text)
                if event.time is None and m.time_text:
                    event.time = normalize_time(m.time_text, published)
                if event.value is None and m.value_text:
                    event.value = normalize_value(m.value_text)
                if event.place is None and m.place is not None:
                    event.place = m.place
                if event.target is None and m.target is not None:
                    event.target = m.target
            events.append(event)
            owners.append((event, ms))
    _attach_designations(owners, reader)
    _apply_pointers(reader.pointers, reader.mentions, reader.denials, owners, published)
    _apply_denials(reader.denials, owners, published)
    return events


def _attach_designations(owners: list[tuple[Event, list[Mention]]], reader: DocumentReader) -> None:
    """An event that names only "ballistic missiles" gets the designation the article gives elsewhere
    for that family ("US officials identified the weapon as the KN-23"), when its maker fits and the
    designation is named in the same passage or beside one of the event's parties."""
    for event, ms in owners:
        if event.type not in ("transfer", "production", "training", "use", "offer"):
            continue
        supplier = event.supplier.id if event.supplier else None
        passages = {getattr(m, "offset", 0) for m in ms}
        parties = {a.id for a in (event.supplier, event.recipient) if a is not None}
        systems = {sid: v for sid, v in reader.systems.items()
                   if reader.system_offsets.get(sid, set()) & passages
                   or (event.recipient is not None and event.recipient.id in reader.system_parties.get(sid, set()))
                   or (parties and parties <= reader.system_parties.get(sid, set()))}
        for idx, item in enumerate(list(event.items)):
            if item.system is not None:
                continue
            family = coarse_category(item.category)
            fits = [(sid, name, cat) for sid, (name, cat, origin) in systems.items()
                    if coarse_category(cat) == family and (origin is None or origin == supplier)]
            if len(fits) != 1:
                continue
            sid, name, cat = fits[0]
            if any(i.system and i.system.id == sid for i in event.items):
                continue
            event.items[idx] = Item(cat, EntityRef(sid, name))


def _event_of(mention: Mention, owners: list[tuple[Event, list[Mention]]]) -> Event | None:
    for event, ms in owners:
        if any(m is mention for m in ms):
            return event
    return None


def _position(m: Mention) -> tuple[int, int]:
    return (getattr(m, "offset", 0), m.sentence.start_char)


def _apply_pointers(pointers: list[PointerStance], mentions: list[Mention], denials: list[Mention],
                    owners: list[tuple[Event, list[Mention]]], published: str | None) -> None:
    """'Iran has denied the accusation': the latest earlier event that Iran is a party to.

    Denials count as earlier events too: "Iran denied sending drones ... later, its foreign
    minister confirmed this matter" confirms what was denied.
    """
    for p in pointers:
        actor = p.attribution.actor.id
        earlier = sorted((m for m in mentions + denials if _position(m) <= p.position), key=_position)
        # What the actor is accused of: the latest event it is a party to, a transfer before other kinds
        # ("the claims" of a transfer and of training in the same report mean the transfer first).
        involved = [m for m in earlier if actor in (m.supplier.id if m.supplier else None,
                                                     m.recipient.id if m.recipient else None)]
        target = None
        if involved:
            best = min(TYPE_PRIORITY.get(m.type, 9) for m in involved)
            target = [m for m in involved if TYPE_PRIORITY.get(m.type, 9) == best][-1]
        if target is None and earlier:
            target = earlier[-1]
        if target is None:
            continue
        event = _event_of(target, owners) or _event_like(target, owners)
        if event is not None:
            _add_stance(event, _to_stance(p.attribution, published))


def _event_like(mention: Mention, owners: list[tuple[Event, list[Mention]]]) -> Event | None:
    """The event a denial mention speaks of: same type and parties."""
    key = (mention.type, mention.supplier.id if mention.supplier else None,
           mention.recipient.id if mention.recipient else None)
    return next((event for event, _ms in owners if event.key() == key), None)


def _apply_denials(denials: list[Mention], owners: list[tuple[Event, list[Mention]]], published: str | None) -> None:
    """A party saying it did not (or will not) supply denies the matching events others claim."""
    for d in denials:
        parties = {d.supplier.id if d.supplier else None, d.recipient.id if d.recipient else None} - {None}
        for att in d.stance:
            actor = att.actor.id
            if actor not in parties:
                continue
            from_negation = d.negated and att.polarity == "asserts"
            for event, _ms in owners:
                if event.type != d.type and not (d.type == "transfer" and event.type in ("transfer",)):
                    continue
                if d.supplier and event.supplier and d.supplier.id != event.supplier.id:
                    continue
                if d.recipient and event.recipient and d.recipient.id != event.recipient.id:
                    continue
                if d.recipient is None and not any(s.actor.id != actor and s.polarity == "asserts"
                                                   for s in event.stance):
                    continue
                if from_negation and any(s.actor.id == actor and s.polarity == "asserts" for s in event.stance):
                    continue  # "after a year in which Washington declined to provide ATACMS" is no denial
                    # of the delivery the Pentagon confirms in the same sentence
                _add_stance(event, Stance(actor=att.actor, polarity="denies", speaker=att.speaker,
                                          date=normalize_time(att.date_text, published).start if att.date_text
                                          else None))


__all__ = ["merge_document", "EntityRef"]
