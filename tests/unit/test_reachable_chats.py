"""What the bot remembers of chats seen reachable, and when it must ask the database again."""

from aftercare_bot.services.reachable_chats import ReachableChats


def test_a_chat_seen_reachable_is_remembered() -> None:
    memory = ReachableChats()
    memory.remember(7, memory.generation)
    assert 7 in memory
    assert 8 not in memory


def test_a_chat_marked_unreachable_is_forgotten() -> None:
    memory = ReachableChats()
    memory.remember(7, memory.generation)
    memory.remember(8, memory.generation)
    memory.forget(7)
    assert 7 not in memory
    assert 8 in memory


def test_a_look_up_that_raced_a_mark_is_not_remembered() -> None:
    memory = ReachableChats()
    started = memory.generation  # the look-up reads "linked" ...
    memory.forget(7)  # ... while another unit of work commits "unreachable"
    memory.remember(7, started)
    assert 7 not in memory


def test_becoming_the_active_instance_forgets_everything() -> None:
    memory = ReachableChats()
    memory.remember(7, memory.generation)
    memory.clear()
    assert 7 not in memory
