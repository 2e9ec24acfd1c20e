namespace HeyGenAvatarBot.Tests;

/// <summary>LiveAvatar is the keyed default; HEYGEN_API_KEY keeps working for the Interactive Avatar API.</summary>
public sealed class ProductChoiceTests
{
    private static Func<string, string?> Env(string? liveAvatarKey = null, string? heyGenKey = null) => name => name switch
    {
        ProductChoice.LiveAvatarKeyVariable => liveAvatarKey,
        ProductChoice.InteractiveKeyVariable => heyGenKey,
        _ => null,
    };

    [Fact]
    public void LIVEAVATAR_API_KEY_selects_LiveAvatar_even_when_HEYGEN_API_KEY_is_set_too() =>
        ProductChoice.Decide(null, interactive: false, liveAvatar: false, Env("la-key", "hg-key"))
            .Should().Be(new ProductChoice("la-key", LiveAvatar: true));

    [Fact]
    public void Only_HEYGEN_API_KEY_still_works_with_the_Interactive_Avatar_API() =>
        ProductChoice.Decide(null, interactive: false, liveAvatar: false, Env(heyGenKey: "hg-key"))
            .Should().Be(new ProductChoice("hg-key", LiveAvatar: false));

    [Fact]
    public void An_explicit_key_is_a_LiveAvatar_key_unless_interactive_is_asked_for()
    {
        ProductChoice.Decide("given", interactive: false, liveAvatar: false, Env()).Should().Be(new ProductChoice("given", LiveAvatar: true));
        ProductChoice.Decide("given", interactive: true, liveAvatar: false, Env()).Should().Be(new ProductChoice("given", LiveAvatar: false));
    }

    [Fact]
    public void Interactive_takes_HEYGEN_API_KEY_and_never_the_LiveAvatar_key() =>
        ProductChoice.Decide(null, interactive: true, liveAvatar: false, Env("la-key", "hg-key"))
            .Should().Be(new ProductChoice("hg-key", LiveAvatar: false));

    [Fact]
    public void Live_avatar_flag_ignores_a_HEYGEN_API_KEY_and_runs_offline_without_its_own_key() =>
        ProductChoice.Decide(null, interactive: false, liveAvatar: true, Env(heyGenKey: "hg-key"))
            .Should().Be(new ProductChoice(null, LiveAvatar: true));

    [Fact]
    public void No_key_runs_offline_on_the_recommended_product() =>
        ProductChoice.Decide("  ", interactive: false, liveAvatar: false, Env(" ", ""))
            .Should().Be(new ProductChoice(null, LiveAvatar: true));

    [Fact]
    public void Both_product_flags_are_refused_with_a_clear_message() =>
        FluentActions.Invoking(() => ProductChoice.Decide(null, interactive: true, liveAvatar: true, Env()))
            .Should().Throw<ArgumentException>().WithMessage("*--live-avatar*--interactive*");
}
