"""Factories for the units app and the users: one per model, no surprising side effects."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

TEST_PASSWORD = "Thidua-2026-test"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="vi_VN")
    last_name = factory.Faker("last_name", locale="vi_VN")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """UserFactory(roles=["leader"]) puts the user in those role groups."""
        if create and extracted:
            # get_or_create: a transactional test's flush also empties the migrated role groups.
            self.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in extracted))


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "units.Unit"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"Đơn vị số {n}")
    short_name = ""
    kind = "office"
    parent = None


class ClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "units.Cluster"

    year = 2025
    kind = "area"
    code = factory.Sequence(lambda n: f"C{n}")
    name = factory.Sequence(lambda n: f"Cụm thi đua số {n}")


class ClusterMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "units.ClusterMembership"

    cluster = factory.SubFactory(ClusterFactory)
    unit = factory.SubFactory(UnitFactory)
    role = "member"


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "units.Staff"

    staff_code = factory.Sequence(lambda n: f"CB{n:05d}")
    full_name = factory.Faker("name", locale="vi_VN")
    gender = factory.Iterator(["female", "male"])
    is_party_member = True
    position = "officer"
    unit = factory.SubFactory(UnitFactory)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "units.Assignment"

    staff = factory.SubFactory(StaffFactory)
    unit = factory.SelfAttribute("staff.unit")
    start_date = factory.Faker("date_between", start_date="-10y", end_date="-1y")
