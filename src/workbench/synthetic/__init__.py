"""Seeded synthetic demo data: one generator module per dataset kind (see ``demo.py``)."""
