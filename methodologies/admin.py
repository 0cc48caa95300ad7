"""Methodologies and rule sets in the admin.

A rule set that has taken effect, or that a result (a fee, an issuance) already records, is
never edited (policy.md §1): its page is read-only and cannot be deleted. The secretariat
publishes the next version from it instead ("Publish a new version from this one", or "Save as
new" on a rule set that has not taken effect yet). Field checks are the model's `clean()`.
"""
from django import forms
from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from .models import Methodology, MethodologyVersion, RuleSet, SectoralScope


@admin.register(SectoralScope)
class SectoralScopeAdmin(admin.ModelAdmin):
    list_display = ("number", "name")
    search_fields = ("name",)


class MethodologyVersionInline(admin.TabularInline):
    model = MethodologyVersion
    extra = 0


@admin.register(Methodology)
class MethodologyAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "kind", "reversal_risk")
    list_filter = ("kind", "reversal_risk", "sectoral_scopes")
    search_fields = ("code", "title")
    filter_horizontal = ("sectoral_scopes",)
    inlines = [MethodologyVersionInline]


def ruleset_is_published(rule_set):
    """In force or superseded (its date has come), or recorded by a result: never edited again."""
    if rule_set is None or rule_set.pk is None:
        return False
    if rule_set.effective_from <= timezone.localdate():
        return True
    return any(
        getattr(rule_set, rel.get_accessor_name()).exists()
        for rel in RuleSet._meta.related_objects
        if rel.one_to_many or rel.one_to_one
    )


class RuleSetForm(forms.ModelForm):
    class Meta:
        model = RuleSet
        fields = "__all__"

    def clean_effective_from(self):
        # Results record the rule set in force on their date: a new or changed rule set that
        # starts in the past would rewrite what already happened.
        value = self.cleaned_data["effective_from"]
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("A rule set cannot take effect in the past; choose today or a later date."))
        return value


COPIED_FIELDS_EXCLUDED = ("id", "version", "effective_from", "notes")


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    form = RuleSetForm
    save_as = True
    list_display = ("version", "effective_from", "standing", "sop_rate", "omge_min_rate", "issuance_fee_per_unit_usd")
    search_fields = ("version", "notes")
    fieldsets = (
        (None, {"fields": ("version", "effective_from", "notes", "publish_next")}),
        ("Issuance arithmetic (rules.md §4, policy.md §1-2)", {"fields": (
            "sop_rate", "sop_rounding", "sop_exempt_ldc_sids", "omge_min_rate", "omge_rounding",
            "buffer_rate_low", "buffer_rate_medium", "buffer_rate_high", "buffer_rounding",
            "levy_authorized_rounding",
        )}),
        ("Reversal risk rating and buffer (A6.4-STAN-METH-002 v01.0 paras 38-42, 55)", {"fields": (
            "buffer_basis", "risk_rating_min_percent", "risk_rating_max_percent", "risk_revision_years",
            "risk_revision_notice_days", "stress_test_interval_days",
        )}),
        ("Fees (7/CMA.4 annex I paras 51-58; PROC-AC-002 and PROC-AC-003 appendix 1)", {"fields": (
            "issuance_fee_per_unit_usd", "monetary_sop_rate", "registration_tier1_max_tonnes",
            "registration_tier2_max_tonnes", "registration_fee_tier1_usd", "registration_fee_tier2_usd",
            "registration_fee_tier3_usd", "poa_registration_fee_usd", "cp_inclusion_fee_usd", "prc_fee_usd",
            "sd_deviation_fee_usd", "fees_waived_ldc_sids",
        )}),
        ("Timers in calendar days (PROC-AC-002 v03.0; policy.md §3)", {"fields": (
            "prior_consideration_days", "gsc_days", "completeness_check_days", "information_check_days",
            "registration_review_days", "issuance_review_days", "appeal_days", "registration_appeal_days",
            "missing_information_days",
        )}),
        ("Supervisory Body decisions (RMP paras 4, 17, 22; RoP rule 67)", {"fields": (
            "board_members", "board_quorum_numerator", "board_quorum_denominator", "board_majority_numerator",
            "board_majority_denominator", "board_electronic_days",
        )}),
        ("Crediting periods (rules.md §7.1, RMP 31(f))", {"fields": (
            "crediting_earliest_start", "reductions_renewable_years", "reductions_fixed_years",
            "removals_renewable_years", "max_renewals",
        )}),
    )

    def get_queryset(self, request):
        today = timezone.localdate()
        later_in_force = RuleSet.objects.filter(
            Q(effective_from__gt=OuterRef("effective_from")) | Q(effective_from=OuterRef("effective_from"), pk__gt=OuterRef("pk")),
            effective_from__lte=today,
        )
        return super().get_queryset(request).annotate(superseded=Exists(later_in_force))

    @admin.display(description="standing")
    def standing(self, obj):
        if obj.effective_from > timezone.localdate():
            return "scheduled"
        return "superseded" if obj.superseded else "in force"

    def get_readonly_fields(self, request, obj=None):
        return ("publish_next",)

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            return self.fieldsets
        head, *rest = self.fieldsets
        return ((None, {"fields": tuple(f for f in head[1]["fields"] if f != "publish_next")}), *rest)

    @admin.display(description="next version")
    def publish_next(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        url = reverse("admin:methodologies_ruleset_add") + f"?copy_from={obj.pk}"
        return format_html('<a href="{}">Publish a new version from this one</a>', url)

    def has_change_permission(self, request, obj=None):
        if ruleset_is_published(obj):
            return False  # shown read-only; a POST is refused (403)
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if ruleset_is_published(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_changeform_initial_data(self, request):
        """`?copy_from=<pk>`: the add form starts with every value of that rule set."""
        initial = super().get_changeform_initial_data(request)
        source = request.GET.get("copy_from", "")
        if source.isdigit():
            rule_set = RuleSet.objects.filter(pk=int(source)).first()
            if rule_set is not None:
                values = model_to_dict(rule_set, exclude=COPIED_FIELDS_EXCLUDED)
                values["notes"] = f"Based on rule set {rule_set.version}."
                initial = {**values, **{k: v for k, v in initial.items() if k != "copy_from"}}
        initial.pop("copy_from", None)
        return initial
