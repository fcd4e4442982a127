"""The topics of the catalogue: each definition's ``topic``, with the title a reader sees."""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["TOPICS", "topic_title"]

#: Topic -> its title, in the order of the children's services journey (read-only).
TOPICS = MappingProxyType(
    {
        "early_help": "Early help",
        "front_door": "Front door: contacts, referrals and assessments",
        "children_in_need": "Children in need",
        "child_protection": "Child protection",
        "looked_after_children": "Children looked after",
        "adoption": "Adoption",
        "care_leavers": "Care leavers",
        "workforce": "Children's social care workforce",
        "finance": "Children's services finance",
        "youth_justice": "Youth justice",
        "health": "Health and wellbeing",
        "education": "Education: attainment and progress",
        "early_years": "Early years",
        "absence_and_exclusions": "Absence and exclusions",
        "special_educational_needs": "Special educational needs",
        "post_16": "Post-16: participation, further and higher education",
        "economic_factors": "Economic factors",
        "context": "Context",
    }
)


def topic_title(topic: str) -> str:
    """The title of a topic (``"looked_after_children"`` -> ``"Children looked after"``).

    Parameters
    ----------
    topic
        A topic as definitions write it.

    Returns
    -------
    str
        Its title in :data:`TOPICS`; for a topic not there, the topic with spaces, capitalised.

    Examples
    --------
    >>> topic_title("care_leavers"), topic_title("local_offer")
    ('Care leavers', 'Local offer')
    """
    return TOPICS.get(topic, topic.replace("_", " ").capitalize())
