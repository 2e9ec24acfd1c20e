namespace Pipeline.LiveKit.Tests.Transport;

/// <summary>Whom the transport listens to.</summary>
public sealed class UserParticipantSelectorTests
{
    [Fact]
    public void The_first_person_is_chosen_never_an_agent_ingress_or_egress()
    {
        var selector = new UserParticipantSelector(wanted: null, pickAnotherAfterLeave: false);

        selector.Select("avatar", ParticipantKind.Agent).Should().BeFalse();
        selector.Select("recorder", ParticipantKind.Egress).Should().BeFalse();
        selector.Select("stream", ParticipantKind.Ingress).Should().BeFalse();
        selector.Select("caller", ParticipantKind.Sip).Should().BeTrue();
        selector.Select("alice", ParticipantKind.Standard).Should().BeFalse("the caller came first");
        selector.User.Should().Be("caller");
    }

    [Fact]
    public void A_named_participant_is_the_only_one_chosen_whatever_its_kind()
    {
        var selector = new UserParticipantSelector(wanted: "bob", pickAnotherAfterLeave: true);

        selector.Select("alice", ParticipantKind.Standard).Should().BeFalse();
        selector.Select("bob", ParticipantKind.Agent).Should().BeTrue();
        selector.Leave("bob").Should().BeTrue();
        selector.User.Should().Be("bob", "a named participant stays the one listened to when it comes back");
    }

    [Fact]
    public void After_the_user_leaves_the_next_person_is_chosen_only_when_asked()
    {
        var staying = new UserParticipantSelector(wanted: null, pickAnotherAfterLeave: false);
        var moving = new UserParticipantSelector(wanted: null, pickAnotherAfterLeave: true);
        staying.Select("alice", ParticipantKind.Standard);
        moving.Select("alice", ParticipantKind.Standard);

        staying.Leave("bob").Should().BeFalse("bob was not the user");
        staying.Leave("alice").Should().BeTrue();
        moving.Leave("alice").Should().BeTrue();

        staying.Select("carol", ParticipantKind.Standard).Should().BeFalse();
        moving.Select("carol", ParticipantKind.Standard).Should().BeTrue();
    }
}
